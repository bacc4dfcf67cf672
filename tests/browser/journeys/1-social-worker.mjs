// Journey 1, the social worker: sign in, use a computer in two taps from
// home, check in, see it in my bookings, cancel, sign out.

import { check, open } from "../lib.mjs";

export const name = "social-worker";

// A different staff member per width: one person holds one computer at a time.
const PEOPLE = { 390: "qian.kai@livingroom.example", 1280: "li.na@livingroom.example" };

export async function run(browser, base, size) {
  const { page, shot, audit, finish } = await open(browser, base, "worker", size);
  const email = PEOPLE[size.width];
  console.log(`  (${email})`);

  // Signed out, home sends her to sign in and back.
  await page.goto(`${base}/`);
  await page.waitForSelector("#email");
  check(page.url().includes("/login"), "signed out, / asks to sign in");
  await audit("sign-in");
  await shot("login");
  await page.fill("#email", email);
  await page.fill("#password", "livingroom-demo");
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForSelector("a.big");
  check(/\/s\/demo$/.test(page.url()), "one site: home is the site's page");
  await audit("home");
  await shot("home");

  // Two taps: "use a computer", then a length.
  await page.click("a.big");
  await page.waitForSelector(".lengths button");
  await audit("use a computer");
  await shot("lengths");
  await page.getByRole("button", { name: "30 分钟" }).click();
  await page.waitForSelector("text=约好了");
  const card = await page.textContent("main .card");
  check(/共享电脑 \d/.test(card), `the answer names the computer: ${card.trim().replace(/\s+/g, " ")}`);
  check(
    /(今天|明天) \d\d:\d\d–(明天 )?\d\d:\d\d/.test(card),
    "and when, in the site's time (今天 HH:MM–HH:MM, or –明天 HH:MM past midnight)",
  );
  await audit("booked");
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
  await audit("my bookings");
  await shot("bookings");
  await page.getByRole("button", { name: "取消预约" }).first().click();
  await page.waitForSelector("text=预约已取消");
  check(!(await page.textContent("main")).includes("已签到"), "cancelled: gone from my bookings");

  // Sign out.
  await page.click("header >> text=退出登录");
  await page.waitForSelector("#email");
  check(page.url().includes("/login"), "signed out");
  await page.goto(`${base}/s/demo`);
  await page.waitForSelector("#email");
  check(page.url().includes("/login"), "after signing out, her pages ask to sign in again");
  await finish();
}
