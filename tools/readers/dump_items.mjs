// pdf.js's text items of one page, with their marked content, for finding out why a
// string reads wrong in Firefox (what tools/readers/table.py reports as missed):
//
//   node dump_items.mjs FILE.pdf PAGE [NEEDLE]   (PAGE from 1; NEEDLE: only around it)
//
// Each item: its string (after pdf.js's own bidi), direction, origin, width, whether a
// line ends after it, and its font; BEGIN/END mark the marked-content sequences.

import { readFile } from "node:fs/promises";
const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
const [file, pageNo, needle] = process.argv.slice(2);
const data = new Uint8Array(await readFile(file));
const doc = await pdfjs.getDocument({ data, verbosity: 0 }).promise;
const page = await doc.getPage(Number(pageNo));
const tc = await page.getTextContent({ includeMarkedContent: true });
let mcid = null;
const out = [];
for (const it of tc.items) {
  if (it.type === "beginMarkedContentProps" || it.type === "beginMarkedContent") { mcid = it.id; out.push(`BEGIN ${it.tag} ${it.id}`); continue; }
  if (it.type === "endMarkedContent") { out.push("END"); continue; }
  out.push(`${JSON.stringify(it.str)} dir=${it.dir} x=${it.transform[4].toFixed(1)} y=${it.transform[5].toFixed(1)} w=${it.width.toFixed(1)} eol=${it.hasEOL} font=${it.fontName}`);
}
const s = out.join("\n");
if (needle) {
  const i = s.indexOf(needle);
  console.log(s.slice(Math.max(0, i - 1500), i + 1500));
} else console.log(s);
