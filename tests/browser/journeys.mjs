// The web app's journeys in headless Chromium, at a phone's width (390 px)
// and a desk's (1280 px). Journey 1, the social worker: sign in, use a
// computer in two taps from home, check in, see it in my bookings, cancel,
// sign out. On every page: axe-core finds no serious or critical
// violation, no request leaves this host, and no answer is a 4xx or 5xx.
// Screenshots are kept as target/journey-*.png.
//
// Usage: node journeys.mjs http://127.0.0.1:PORT   (a server started with --demo)

import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const base = process.argv[2];
if (!base) {
  console.error("usage: node journeys.mjs BASE_URL");
  process.exit(2);
}
const origin = new URL(base).host;
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok" : "FAILED"} - ${what}`);
  if (!ok) failures += 1;
}

async function audit(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of bad) console.log(`  axe ${v.impact}: ${v.id} ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
  check(bad.length === 0, `axe: no serious or critical violation on ${what}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  check(!overflow, `no sideways scrolling on ${what}`);
}

mkdirSync("../../target", { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

// A different staff member per width: one person holds one computer at a time.
const runs = [
  { width: 390, height: 844, email: "qian.kai@livingroom.example", name: "phone" },
  { width: 1280, height: 900, email: "li.na@livingroom.example", name: "desk" },
];

for (const run of runs) {
  const started = Date.now();
  const context = await browser.newContext({
    viewport: { width: run.width, height: run.height },
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
  const page = await context.newPage();
  const problems = [];
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (!["data:", "about:"].includes(url.protocol) && url.host !== origin) problems.push(`request to ${req.url()}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`${res.status()} for ${res.url()}`);
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  const shot = (what) => page.screenshot({ path: `../../target/journey-${what}-${run.width}.png`, fullPage: true });
  console.log(`# social worker at ${run.width} px (${run.email})`);

  // Signed out, home sends her to sign in and back.
  await page.goto(`${base}/`);
  await page.waitForSelector("#email");
  check(page.url().includes("/login"), "signed out, / asks to sign in");
  await audit(page, "sign-in");
  await shot("login");
  await page.fill("#email", run.email);
  await page.fill("#password", "livingroom-demo");
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForSelector("a.big");
  check(/\/s\/demo$/.test(page.url()), "one site: home is the site's page");
  await audit(page, "home");
  await shot("home");

  // Two taps: "use a computer", then a length.
  await page.click("a.big");
  await page.waitForSelector(".lengths button");
  await audit(page, "use a computer");
  await shot("lengths");
  await page.getByRole("button", { name: "30 分钟" }).click();
  await page.waitForSelector("text=约好了");
  const card = await page.textContent("main .card");
  check(/共享电脑 \d/.test(card), `the answer names the computer: ${card.trim().replace(/\s+/g, " ")}`);
  check(/\d\d:\d\d–\d\d:\d\d/.test(card), "and when, in the site's time (今天 HH:MM–HH:MM)");
  await audit(page, "booked");
  await shot("booked");

  // Check in from the answer page.
  await page.getByRole("button", { name: "签到" }).click();
  await page.waitForSelector("text=签到成功");
  check(true, "checked in");

  // My bookings: it is there, checked in; cancel it.
  await page.click("nav.bottom >> text=我的预约");
  await page.waitForSelector("h1:has-text('我的预约')");
  const list = await page.textContent("main");
  check(list.includes("已签到"), "my bookings shows it checked in");
  await audit(page, "my bookings");
  await shot("bookings");
  await page.getByRole("button", { name: "取消预约" }).first().click();
  await page.waitForSelector("text=预约已取消");
  check(!(await page.textContent("main")).includes("已签到"), "cancelled: gone from my bookings");

  // Sign out.
  await page.click("nav.bottom >> text=退出登录");
  await page.waitForSelector("#email");
  check(page.url().includes("/login"), "signed out");
  await page.goto(`${base}/s/demo`);
  await page.waitForSelector("#email");
  check(page.url().includes("/login"), "after signing out, her pages ask to sign in again");

  for (const p of problems) console.log(`  ${p}`);
  check(problems.length === 0, "no request to another host, no 4xx/5xx, no console error");
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  await context.close();
}

await browser.close();
if (failures > 0) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log("all journey checks passed");
