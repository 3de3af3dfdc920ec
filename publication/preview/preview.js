"use strict";
// The preview page: long-polls /state, swaps each page picture whose version changed
// once the new one has loaded, and outlines a message's places on the pages.
(() => {
  const locale = document.body.dataset.locale;
  let version = -1;
  let state = null;
  let selected = null;   // the key of the selected message
  let pointed = null;    // the key of the message pointed at or focused
  const buttons = new Map();

  const keyOf = (m) => `${m.context}\u0004${m.msgid}`;
  const el = (tag, attrs = {}, text = null) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    if (text !== null) node.textContent = text;
    return node;
  };

  function showProblems(errors) {
    const box = document.getElementById("problems");
    const list = document.getElementById("problem-list");
    const now = JSON.stringify(errors);
    if (box.dataset.shown === now) return;
    box.dataset.shown = now;
    list.replaceChildren(...errors.map((e) => el("li", {}, e)));
    box.hidden = errors.length === 0;
  }

  function figureFor(output, index, page) {
    const id = `page-${output.id}-${index}`;
    let figure = document.getElementById(id);
    if (!figure) {
      figure = el("figure", { class: "page", id });
      const img = el("img", { alt: `${output.title}, page ${index + 1}`, "data-shown": "" });
      img.addEventListener("load", () => {
        img.dataset.shown = img.dataset.wanted;
        placeMarks();
      });
      figure.append(img, el("div", { class: "marks", "aria-hidden": "true" }),
                    el("figcaption", { "aria-hidden": "true" }, `page ${index + 1}`));
    }
    const img = figure.querySelector("img");
    const wanted = String(page.version);
    if (img.dataset.wanted !== wanted) {
      img.dataset.wanted = wanted;
      img.src = `/picture/${output.id}/${index}.png?v=${wanted}`;
    }
    return figure;
  }

  function showOutputs(outputs) {
    const main = document.getElementById("pages");
    for (const output of outputs) {
      let section = document.getElementById(`output-${output.id}`);
      if (!section) {
        section = el("section", { id: `output-${output.id}`, class: `kind-${output.kind}`,
                                  "aria-labelledby": `title-${output.id}` });
        section.append(el("h2", { id: `title-${output.id}` }, output.title),
                       el("div", { class: "sheet" }));
        main.append(section);
      }
      const sheet = section.querySelector(".sheet");
      const figures = output.pages.map((page, i) => figureFor(output, i, page));
      figures.forEach((figure, i) => {
        if (sheet.children[i] !== figure) sheet.insertBefore(figure, sheet.children[i] || null);
      });
      while (sheet.children.length > figures.length) sheet.lastElementChild.remove();
    }
  }

  function describe(message) {
    const parts = [el("span", { class: "ctx" }, message.context || "(no context)"), " ",
                   el("span", { class: "line" }, message.line ? `line ${message.line}` : "not in the catalogue"), " ",
                   el("span", { class: `state state-${message.state}` },
                      message.state === "translated" ? "translated" :
                      message.state === "fuzzy" ? "fuzzy: shown in English" : "untranslated: shown in English")];
    const shown = el("span", { class: "shown", lang: message.state === "translated" ? locale : "en", dir: "auto" });
    shown.textContent = message.text.replace(/<[^>]*>/g, "");
    parts.push(shown);
    const rooms = message.rooms.length ? message.rooms : ["not printed: read aloud or in the document's properties"];
    for (const room of rooms) {
      parts.push(el("span", { class: room.includes("does not fit") ? "room over" : "room" }, room));
    }
    return parts;
  }

  function visible(message, filter) {
    if (filter === "untranslated") return message.state !== "translated";
    if (filter === "tight") return message.rooms.some((r) => /does not fit|: 0 (lines|characters)|: [0-9] characters/.test(r));
    return true;
  }

  function showMessages(messages) {
    const list = document.getElementById("message-list");
    const filter = document.getElementById("filter").value;
    const wanted = [];
    for (const message of messages) {
      const key = keyOf(message);
      let button = buttons.get(key);
      if (!button) {
        button = el("button", { type: "button", "aria-pressed": "false" });
        button.addEventListener("mouseenter", () => { pointed = key; placeMarks(); });
        button.addEventListener("mouseleave", () => { pointed = null; placeMarks(); });
        button.addEventListener("focus", () => { pointed = key; placeMarks(); });
        button.addEventListener("blur", () => { pointed = null; placeMarks(); });
        button.addEventListener("click", () => select(key));
        el("li").append(button);
        buttons.set(key, button);
      }
      const content = JSON.stringify(message);
      if (button.dataset.content !== content) {
        button.dataset.content = content;
        button.replaceChildren(...describe(message));
      }
      if (visible(message, filter)) wanted.push(button.parentElement);
    }
    const current = Array.from(list.children);
    if (current.length !== wanted.length || current.some((li, i) => li !== wanted[i])) {
      list.replaceChildren(...wanted);
    }
  }

  function select(key) {
    selected = selected === key ? null : key;
    for (const [k, button] of buttons) button.setAttribute("aria-pressed", String(k === selected));
    placeMarks();
    const first = document.querySelector(".mark");
    if (selected && first) first.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function placeMarks() {
    for (const marks of document.querySelectorAll(".marks")) marks.replaceChildren();
    if (!state) return;
    const keys = new Set([pointed, selected].filter(Boolean));
    for (const message of state.messages) {
      if (!keys.has(keyOf(message))) continue;
      for (const place of message.places) {
        const figure = document.getElementById(`page-${place.output}-${place.page}`);
        if (!figure) continue;
        const img = figure.querySelector("img");
        const marks = figure.querySelector(".marks");
        marks.style.height = `${img.clientHeight}px`;
        const mark = el("div", { class: "mark" });
        mark.style.left = `${place.x * 100}%`;
        mark.style.top = `${place.y * 100}%`;
        mark.style.width = `${place.w * 100}%`;
        mark.style.height = `${place.h * 100}%`;
        marks.append(mark);
      }
    }
  }

  function apply(next) {
    state = next;
    document.body.dataset.busy = String(next.busy);
    showProblems(next.errors);
    showOutputs(next.outputs);
    showMessages(next.messages);
    placeMarks();
    const count = next.outputs.reduce((n, o) => n + o.pages.length, 0);
    const status = document.getElementById("status");
    const text = next.busy ? `Updating… (${count} pages)` :
      `${count} pages of ${next.outputs.length} publications, from ${next.catalog}; updated ${new Date().toLocaleTimeString()}`;
    if (status.textContent !== text) status.textContent = text;
  }

  async function loop() {
    for (;;) {
      try {
        const response = await fetch(`/state?after=${version}`, { cache: "no-store" });
        if (!response.ok) throw new Error(String(response.status));
        const next = await response.json();
        version = next.version;
        apply(next);
      } catch (error) {
        document.getElementById("status").textContent = "The preview server does not answer; is it still running?";
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  document.getElementById("filter").addEventListener("change", () => state && showMessages(state.messages));
  loop();
})();
