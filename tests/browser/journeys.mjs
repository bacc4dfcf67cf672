// The web app's journeys in headless Chromium, each at a phone's width
// (390 px) and a desk's (1280 px), against a server started with --demo.
// Each journey is a module in journeys/ exporting `name` and
// `run(browser, base, width)`; all run in file order unless some are named.
//
// Usage: node journeys.mjs http://127.0.0.1:PORT [journey-name ...]

import { readdirSync } from "node:fs";
import { WIDTHS, failed, launch } from "./lib.mjs";

const [base, ...only] = process.argv.slice(2);
if (!base) {
  console.error("usage: node journeys.mjs BASE_URL [journey-name ...]");
  process.exit(2);
}
const files = readdirSync(new URL("./journeys/", import.meta.url)).filter((f) => f.endsWith(".mjs")).sort();
const browser = await launch();
let ran = 0;
for (const file of files) {
  const journey = await import(`./journeys/${file}`);
  if (only.length > 0 && !only.includes(journey.name)) continue;
  for (const width of WIDTHS) {
    const started = Date.now();
    console.log(`# ${journey.name} at ${width.width} px`);
    await journey.run(browser, base, width);
    console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  ran += 1;
}
await browser.close();
if (ran === 0) {
  console.log("no journey ran");
  process.exit(1);
}
if (failed() > 0) {
  console.log(`${failed()} check(s) failed`);
  process.exit(1);
}
console.log(`all checks of ${ran} journey(s) passed`);
