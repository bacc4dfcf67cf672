// Journey 8, the secretary sets up a room (issue 22): 管理 → 场地 lists the
// demo's computers, desk and rooms with their hours in words; she adds a
// reading corner open Monday to Friday and a Saturday morning (a Saturday
// that ends before it starts is pointed out next to its field first),
// finds it listed with the hours in words, and closes it for a day with a
// reason. Each width makes its own room, so the two runs never meet.

import { check, open } from "../lib.mjs";

export const name = "rooms-setup";

const SECRETARY = "secretary@livingroom.example";

export async function run(browser, base, size) {
  const { page, shot, audit, finish, signIn, expectRefusal } = await open(browser, base, "rooms-setup", size);
  const room = `读书角${size.width}`;

  await signIn(SECRETARY);
  await page.waitForSelector("nav.bottom");
  await page.click("nav.bottom >> text=管理");
  await page.waitForSelector("nav.console");
  await page.click("nav.console >> text=场地");
  await page.waitForSelector("h2#kind-room");
  const listed = await page.textContent("main");
  check(listed.includes("开放时间：") && listed.includes("规则："), "resources are listed with hours and rules in words");
  await audit("resources");
  await shot("resources");

  await page.getByRole("link", { name: "新增房间" }).click();
  await page.waitForSelector("#mon_from");
  await page.fill("#name", room);
  await page.fill("#capacity", "12");
  await page.check("input[name=hours][value=weekly]");
  for (const day of ["mon", "tue", "wed", "thu", "fri"]) {
    await page.fill(`#${day}_from`, "09:00");
    await page.fill(`#${day}_to`, "17:30");
  }
  await page.fill("#sat_from", "09:00");
  await page.fill("#sat_to", "08:00");
  await page.check("#requires_approval");
  await page.fill("#max_minutes", "120");
  await audit("new room");
  expectRefusal(`${base}/s/demo/console/resources`);
  await page.getByRole("button", { name: "新增房间" }).click();
  await page.waitForSelector("#sat_to-error");
  check((await page.textContent("#sat_to-error")).includes("结束要晚于开始"), "the Saturday's mistake is shown next to its field");
  check((await page.inputValue("#name")) === room, "what she typed is kept after a mistake");
  await audit("new room with a mistake");
  await shot("new-room-mistake");
  await page.fill("#sat_to", "12:00");
  await page.getByRole("button", { name: "新增房间" }).click();
  await page.waitForSelector("p.notice[role=status]");

  const card = page.locator("li.card", { hasText: room });
  await card.waitFor();
  const words = await card.textContent();
  check(words.includes("周一至周五 09:00–17:30，周六 09:00–12:00"), `the room's hours read in words (${words})`);
  check(words.includes("需审批") && words.includes("2 小时"), "the room's rules read in words");
  await audit("resources with the new room");
  await shot("resources-new-room");

  await card.getByRole("link", { name: `停用时段 ${room}` }).click();
  await page.waitForSelector("#starts_at");
  const day = new Date(Date.now() + 40 * 86400e3).toISOString().slice(0, 10);
  await page.fill("#starts_at", `${day}T09:00`);
  await page.fill("#ends_at", `${day}T17:30`);
  await page.fill("#reason", "更换地板");
  await audit("closures");
  await page.getByRole("button", { name: "加这个停用时段" }).click();
  await page.waitForSelector("p.notice[role=status]");
  const closures = await page.textContent("main");
  check(closures.includes("更换地板") && closures.includes(`${day}`) && closures.includes("09:00–17:30"), "the closure is listed in site time");
  await audit("closures after adding one");
  await shot("closures");
  await finish();
}
