// The text pdf.js (Firefox's PDF reader) gives each page of a PDF, in structure order.
//
//   node pdfjs_text.mjs FILE.pdf...   ->  JSON on stdout: {"FILE.pdf": ["page 1 text", ...], ...}
//
// Firefox draws a text layer from page.getTextContent({includeMarkedContent: true}) (one
// span per text item, each item's string already put through pdf.js's own bidi) and hands
// assistive technology the structure tree from page.getStructTree(), whose leaves name the
// marked content (by MCID) that they own. So a page is read here the way a screen reader
// reads it in Firefox: the structure tree depth first, each content leaf replaced by the
// text items of its marked content, joined as pdf.js's find bar joins them (item strings
// back to back, a line break after an item that ends a line). A structure element's
// /ActualText is not used: Firefox only makes it an aria-label. Text in no structure leaf
// and not in an /Artifact is appended at the end of the page (Firefox still shows it).
//
// Install: `npm ci` in tools/readers (pdfjs-dist needs its optional dependency
// @napi-rs/canvas, or it fails with "DOMMatrix is not defined").

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
const require = createRequire(import.meta.url);
const root = path.dirname(require.resolve("pdfjs-dist/package.json"));
const standardFontDataUrl = path.join(root, "standard_fonts") + path.sep;
const cMapUrl = path.join(root, "cmaps") + path.sep;

// Structure types that end a block: a line break after them, so that two blocks' texts
// never run into one word.
const BLOCKS = new Set([
  "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
  "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody", "Table", "TR",
  "TH", "TD", "THead", "TBody", "TFoot", "Figure", "Formula", "Form", "Note", "Title",
  "Aside", "FENote", "Sub",
]);

function markedTexts(items) {
  // text of each marked-content id; null key: text in no identified marked content
  const texts = new Map();
  const stack = [];
  const loose = [];
  for (const item of items) {
    if (item.type === "beginMarkedContentProps" || item.type === "beginMarkedContent") {
      stack.push({ id: item.id ?? null, artifact: item.tag === "Artifact" });
      continue;
    }
    if (item.type === "endMarkedContent") {
      stack.pop();
      continue;
    }
    if (typeof item.str !== "string") continue;
    const piece = item.str + (item.hasEOL ? "\n" : "");
    if (stack.some((m) => m.artifact)) continue;
    const owner = [...stack].reverse().find((m) => m.id !== null);
    if (owner) texts.set(owner.id, (texts.get(owner.id) ?? "") + piece);
    else loose.push(piece);
  }
  return { texts, loose: loose.join("") };
}

function walk(node, texts, used, out) {
  if (!node) return;
  if (node.type === "content") {
    if (texts.has(node.id)) {
      out.push(texts.get(node.id));
      used.add(node.id);
    }
    return;
  }
  for (const child of node.children ?? []) walk(child, texts, used, out);
  if (BLOCKS.has(node.role)) out.push("\n");
}

async function pageText(page) {
  const content = await page.getTextContent({ includeMarkedContent: true });
  const { texts, loose } = markedTexts(content.items);
  const tree = await page.getStructTree();
  const out = [];
  const used = new Set();
  walk(tree, texts, used, out);
  for (const [id, text] of texts) if (!used.has(id)) out.push("\n", text); // owned by no leaf
  if (loose) out.push("\n", loose);
  return out.join("");
}

async function documentText(file) {
  const data = new Uint8Array(await readFile(file));
  const doc = await pdfjs.getDocument({
    data, standardFontDataUrl, cMapUrl, cMapPacked: true, useSystemFonts: false,
    isEvalSupported: false, verbosity: 0,
  }).promise;
  const pages = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    pages.push(await pageText(page));
    page.cleanup();
  }
  await doc.destroy();
  return pages;
}

const result = {};
for (const file of process.argv.slice(2)) result[file] = await documentText(file);
process.stdout.write(JSON.stringify(result));
