// Journey 9, the secretary sets up the front desk (issue 22, "Done when"):
// from 管理 she opens 排班, sees the 330 method's weekly posts, generates a
// four-week draft from a Monday, reads the grid (names in the cells) and
// its warnings, publishes it and sees it published; then under 值班 she
// creates a weekly volunteer duty (a mistake first, shown next to its field).
// Each width drafts its own weeks (+8 and +14 weeks) so the two runs on
// one server never meet.

import { check, open } from "../lib.mjs";

export const name = "rota-setup";

const SECRETARY = "secretary@livingroom.example";
const WEEKS_AHEAD = { 390: 8, 1280: 14 };

/** The Monday `weeks` weeks after this one, in Shanghai. */
function mondayAhead(weeks) {
  const today = new Date(Date.now() + 8 * 3600e3);
  const monday = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7) + 7 * weeks);
  return monday.toISOString().slice(0, 10);
}

export async function run(browser, base, size) {
  const { page, shot, audit, finish, signIn, expectRefusal } = await open(browser, base, "rota-setup", size);
  await signIn(SECRETARY);
  await page.waitForSelector("nav.bottom");
  await page.click("nav.bottom >> text=管理");
  await page.waitForSelector("nav.console");
  await page.click("nav.console >> text=排班");
  await page.waitForSelector("div.rota-days");
  const week = await page.textContent("div.rota-days");
  check(week.includes("首问接待") || week.includes("接待"), "the weekly posts of the 330 method are on the week grid");
  await audit("rota");
  await shot("rota");

  // A draft of four weeks from a Monday far enough ahead.
  const from = mondayAhead(WEEKS_AHEAD[size.width]);
  await page.fill("#from", from);
  await page.fill("#weeks", "4");
  await page.getByRole("button", { name: "生成草稿" }).click();
  await page.waitForSelector("section#draft");
  check((await page.textContent("p.notice[role=status]")).includes("草稿已生成"), "the draft is generated");
  const slots = await page.locator(".rota-draft .slot").count();
  check(slots >= 20, `four weeks of shifts are drafted (${slots})`);
  const named = await page.locator(".rota-draft ul.people li:not(.open)").count();
  check(named > 0, `names are in the grid's cells (${named})`);
  const warnings = await page.textContent("section#draft");
  check(warnings.includes("提醒"), "the draft's warnings are shown");
  check(!/\b(shift_id|user_id)\b/.test(warnings), "the warnings name no ids");
  const changes = await page.locator("ul.changes li").count();
  check(changes === slots, `publishing would add every drafted shift (${changes} of ${slots})`);
  await audit("rota draft");
  await shot("rota-draft");

  await page.getByRole("button", { name: "确认发布" }).click();
  await page.waitForSelector("text=排班已发布");
  const published = await page.locator(".rota-draft span.badge.confirmed").count();
  check(published === slots, `every shift shows as published (${published} of ${slots})`);
  check((await page.textContent("section#draft")).includes("没有要发布的变化"), "nothing is left to publish");
  await audit("rota published");
  await shot("rota-published");

  // 值班 → 新建: a weekly duty; the end before the start is pointed out first.
  await page.click("nav.console >> text=值班");
  await page.click("text=新建志愿值班");
  await page.waitForSelector("#name");
  await audit("new duty");
  const duty = `法律咨询${size.width}`;
  await page.fill("#name", duty);
  const rooms = await page.locator("#resource_id option").count();
  if (rooms > 1) await page.selectOption("#resource_id", { index: 1 });
  await page.selectOption("#weekday", "thu");
  await page.fill("#start", "16:00");
  await page.fill("#end", "15:00");
  await page.fill("#skill", "legal");
  await page.fill("#capacity", "1");
  await page.fill("#from", mondayAhead(WEEKS_AHEAD[size.width] + 30));
  await page.selectOption("#every_weeks", "2");
  expectRefusal(`${base}/s/demo/console/duties/new`);
  await page.getByRole("button", { name: "新建值班" }).click();
  await page.waitForSelector("#end-error");
  check((await page.inputValue("#name")) === duty, "what she typed is kept after a mistake");
  await audit("new duty with a mistake");
  await page.fill("#start", "14:00");
  await page.fill("#end", "16:00");
  await page.getByRole("button", { name: "新建值班" }).click();
  await page.waitForSelector("text=值班已建好");
  check(await page.locator("li.card h3", { hasText: duty }).count() === 1, "the new duty is listed");
  await shot("duty-created");
  await finish();
}
