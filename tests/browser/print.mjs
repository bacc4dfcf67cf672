// Every report printed on A4, as the sub-district's quarterly check wants
// it: Chromium's print to PDF with the print stylesheet, each page
// rendered to PNG with poppler's pdftoppm (target/print-{report}.png is
// the first page, target/print-{report}-{n}.png the others). Fails when a
// report takes more than 2 pages (the summary 3) or a page is blank.
//
// Usage: node print.mjs http://127.0.0.1:PORT  (a --demo server)

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DEMO_PASSWORD, check, failed, launch } from "./lib.mjs";

const base = process.argv[2];
if (!base) {
  console.error("usage: node print.mjs BASE_URL");
  process.exit(2);
}
// The quarter summary holds five tables (its measures and the four
// reports'); on the demo's month it takes three pages (the sub-reports'
// charts are left out of print), so it is allowed three.
const maxPages = (report) => (report === "summary" ? 3 : 2);

// The share of a greyscale page's pixels that are not near-white (PGM P5).
function inked(pgm) {
  const header = pgm.subarray(0, 64).toString("latin1").split(/\s+/);
  const [width, height] = [Number(header[1]), Number(header[2])];
  const pixels = pgm.subarray(pgm.length - width * height);
  let dark = 0;
  for (const p of pixels) if (p < 200) dark += 1;
  return dark / pixels.length;
}

const browser = await launch();
const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
const page = await context.newPage();
await page.goto(`${base}/login`);
await page.fill("#email", "secretary@livingroom.example");
await page.fill("#password", DEMO_PASSWORD);
await Promise.all([page.waitForNavigation(), page.locator("form button[type=submit]").first().click()]);
await page.goto(`${base}/s/demo/console/reports`);
const links = await page.$$eval("ul.cards h2 a", (as) => as.map((a) => a.getAttribute("href")));
check(links.length >= 1, `reports to print: ${links.length}`);
const work = mkdtempSync(join(tmpdir(), "print-"));
for (const href of links) {
  const report = href.split("/").pop();
  await page.goto(new URL(href, base).toString());
  await page.emulateMedia({ media: "print" });
  const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
  await page.emulateMedia({ media: "screen" });
  const file = join(work, `${report}.pdf`);
  writeFileSync(file, pdf);
  writeFileSync(`../../target/print-${report}.pdf`, pdf);
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync("pdfinfo", [file], { encoding: "utf8" }))?.[1] ?? 0);
  check(pages >= 1 && pages <= maxPages(report), `${report}: ${pages} A4 page(s), at most ${maxPages(report)}`);
  // Blank pages: each page at a low resolution in grey.
  execFileSync("pdftoppm", ["-gray", "-r", "20", file, join(work, `${report}-grey`)]);
  const greys = readdirSync(work).filter((f) => f.startsWith(`${report}-grey`) && f.endsWith(".pgm")).sort();
  greys.forEach((f, i) => {
    const share = inked(readFileSync(join(work, f)));
    check(share > 0.002, `${report}: page ${i + 1} is not blank (${(share * 100).toFixed(2)} % inked)`);
  });
  // The PNGs to look at: pdftoppm names pages -1, -2 (or -01 ...).
  execFileSync("pdftoppm", ["-png", "-r", "80", file, join(work, `${report}-page`)]);
  const pngs = readdirSync(work).filter((f) => f.startsWith(`${report}-page`) && f.endsWith(".png")).sort();
  pngs.forEach((f, i) => {
    copyFileSync(join(work, f), `../../target/print-${report}${i === 0 ? "" : `-${i + 1}`}.png`);
  });
  console.log(`  target/print-${report}.png${pngs.length > 1 ? ` (+${pngs.length - 1})` : ""}`);
}
await browser.close();
if (failed() > 0) {
  console.log(`${failed()} check(s) failed`);
  process.exit(1);
}
console.log("every report prints on A4");
