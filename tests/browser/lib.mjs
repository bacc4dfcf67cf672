// What every journey shares: the browser, the checks, and a page that
// records any request to another host, any 4xx/5xx answer and any console
// error, runs axe-core and the no-sideways-scrolling check, and keeps
// screenshots under target/.

import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let failures = 0;
export function check(ok, what) {
  console.log(`${ok ? "ok" : "FAILED"} - ${what}`);
  if (!ok) failures += 1;
}
export const failed = () => failures;

export const DEMO_PASSWORD = "livingroom-demo";

// The two widths every journey runs at: a phone's and a desk's.
export const WIDTHS = [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
];

export async function launch() {
  mkdirSync("../../target", { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
}

// A fresh browser context (no cookies) at `width`; `journey` names the
// screenshots: target/journey-<journey>-<what>-<width>.png.
export async function open(browser, base, journey, { width, height }, locale = "zh-CN") {
  const origin = new URL(base).host;
  const context = await browser.newContext({ viewport: { width, height }, locale, timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  const problems = [];
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (!["data:", "about:", "blob:"].includes(url.protocol) && url.host !== origin) problems.push(`request to ${req.url()}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400 && !expected.has(res.url())) problems.push(`${res.status()} for ${res.url()}`);
  });
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/the server responded with a status of 4\d\d/.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  // Answers a journey provokes on purpose (a refusal shown next to its
  // field is a 4xx by design): the URL is registered before the action.
  const expected = new Set();
  return {
    page,
    context,
    expectRefusal: (url) => expected.add(url),
    shot: (what) => page.screenshot({ path: `../../target/journey-${journey}-${what}-${width}.png`, fullPage: true }),
    audit: async (what) => {
      await page.evaluate(axeSource);
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      for (const v of bad) console.log(`  axe ${v.impact}: ${v.id} ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
      check(bad.length === 0, `axe: no serious or critical violation on ${what} (${width} px)`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
      check(!overflow, `no sideways scrolling on ${what} (${width} px)`);
      // Every link on the page answers (no 4xx/5xx), same host only.
      const hrefs = await page.evaluate(() => [...document.querySelectorAll("a[href]")].map((a) => a.href));
      for (const href of new Set(hrefs)) {
        const url = new URL(href);
        if (url.protocol === "mailto:" || url.protocol === "tel:") continue;
        if (url.host !== origin) { problems.push(`link to another host: ${href}`); continue; }
        const res = await context.request.get(href, { maxRedirects: 5 });
        if (res.status() >= 400) problems.push(`link ${href} answers ${res.status()}`);
      }
    },
    signIn: async (email) => {
      await page.goto(`${base}/login`);
      await page.fill("#email", email);
      await page.fill("#password", DEMO_PASSWORD);
      await Promise.all([page.waitForNavigation(), page.locator("form button[type=submit]").first().click()]);
    },
    // Ends the journey at this width: reports what the page saw.
    finish: async () => {
      for (const p of problems) console.log(`  ${p}`);
      check(problems.length === 0, `no request to another host, no 4xx/5xx, no console error (${width} px)`);
      await context.close();
    },
  };
}
