// Journey 2, the interest-group leader: sign in, rooms, a room's week
// grid, a free cell, weekly for four weeks where one date clashes (she
// booked it first), the preview names the clash, book skipping it, her
// bookings show the rest; a room needing approval shows pending, and
// confirmed once the secretary approves it through the API.

import { check, open } from "../lib.mjs";

export const name = "group-leader";

// One leader per width, each in her own room at her own times, so the two
// runs never meet.
const PEOPLE = {
  390: { email: "qipao.lead@livingroom.example", room: "旗袍室", group: "旗袍班", day: 2, at: "14:00", until: "16:00",
         hallDay: 3, hallAt: "10:00" },
  1280: { email: "calligraphy.lead@livingroom.example", room: "阅览室", group: "书法班", day: 2, at: "10:00",
          until: "12:00", hallDay: 4, hallAt: "15:00" },
};
const SECRETARY = "secretary@livingroom.example";

// The visible free cell of `weekday` (0 Sunday .. 6) at `time`: its link.
async function freeCell(page, weekday, time) {
  const tabs = page.locator(".day-tabs a");
  if (await tabs.first().isVisible()) {
    // On a phone the grid shows one day: choose it first.
    await tabs.nth((weekday + 6) % 7).click();
    await page.waitForSelector(`.day-tabs a[aria-current]:nth-child(${((weekday + 6) % 7) + 1})`);
  }
  return page.evaluate(([weekday, time]) => {
    const link = [...document.querySelectorAll("a.cell.free")].find((a) => {
      const q = new URL(a.href).searchParams;
      return a.offsetParent !== null && q.get("start") === time
        && new Date(`${q.get("date")}T00:00:00Z`).getUTCDay() === weekday;
    });
    return link ? link.getAttribute("href") : null;
  }, [weekday, time]);
}

// Go one week on and wait for that week's grid. The link is a plain page
// load: waiting for something the old page also has (the legend) returns
// at once, and a second click would land on whichever page is up by then.
async function nextWeek(page) {
  const before = await page.textContent("p.week-span");
  await page.click("text=下一周");
  await page.waitForFunction((w) => document.querySelector("p.week-span")?.textContent !== w, before);
  await page.waitForSelector(".legend");
}

async function clickVisible(page, selector) {
  await page.locator(`${selector}:visible`).first().click();
}

export async function run(browser, base, size) {
  const { page, context, shot, audit, finish, signIn, expectRefusal } = await open(browser, base, "leader", size);
  const me = PEOPLE[size.width];
  console.log(`  (${me.email})`);
  await signIn(me.email);
  await page.waitForSelector("nav.bottom");

  // Rooms: pick hers, go to next week.
  await page.click("nav.bottom >> text=房间");
  await page.waitForSelector("h2#pick");
  await audit("rooms");
  await page.click(`a.room-card:has-text("${me.room}")`);
  await page.waitForSelector("p.week-span");
  await nextWeek(page);

  // The clash first: the same time two weeks ahead, once, for her group.
  await nextWeek(page);
  const ahead = await freeCell(page, me.day, me.at);
  check(ahead !== null, `a free cell ${me.at} two weeks ahead`);
  await clickVisible(page, `a.cell.free[href="${ahead}"]`);
  await page.waitForSelector("#purpose");
  await page.fill("#purpose", "排练");
  await page.selectOption("#end", me.until);
  await page.getByRole("button", { name: "看看这些日期能不能约" }).click();
  await page.waitForSelector("text=这些日期都空着");
  await page.getByRole("button", { name: "预约这个时间" }).click();
  await page.waitForSelector("text=预约好了");
  check(true, "one date booked ahead (the clash to come)");

  // Next week's grid: the free cell at her time, weekly for four weeks.
  await page.goto(`${base}${ahead.replace(/\/book\?.*/, "").replace(/\/rooms\/(\d+)$/, "/rooms?room=$1")}`);
  await page.waitForSelector("p.week-span");
  await nextWeek(page);
  const cell = await freeCell(page, me.day, me.at);
  check(cell !== null, `next week ${me.at} is free in the grid`);
  await audit("week grid");
  await shot("grid");
  const taken = await page.textContent(".cell.taken >> nth=0").catch(() => "");
  check(taken === "" || taken.includes("已约"), "taken cells say so in words");
  await clickVisible(page, `a.cell.free[href="${cell}"]`);
  await page.waitForSelector("#purpose");
  check((await page.inputValue("#date")) === new URL(cell, base).searchParams.get("date"), "the form is prefilled with the date");
  check((await page.inputValue("#start")) === me.at, "and the start");

  // A missing purpose is said next to the field.
  const action = new URL(await page.getAttribute("form.room-form", "action"), base).href;
  expectRefusal(action);
  await page.selectOption("#end", me.until);
  await page.check("input[name=repeat][value=count]");
  await page.fill("#count", "4");
  await page.getByRole("button", { name: "看看这些日期能不能约" }).click();
  await page.waitForSelector("#purpose-error");
  check((await page.textContent("#purpose-error")).includes("做什么用"), "an empty purpose is refused next to its field");
  check((await page.inputValue("#count")) === "4", "what she typed is kept");
  await page.fill("#purpose", `${me.group}每周活动`);
  await page.getByRole("button", { name: "看看这些日期能不能约" }).click();
  await page.waitForSelector("h1:has-text('确认预约的日期')");
  const dates = await page.locator("ul.dates li").count();
  const clashes = page.locator("ul.dates li.clash");
  check(dates === 4, `the preview lists 4 dates (${dates})`);
  check((await clashes.count()) === 1, "one of them clashes");
  const clashText = (await clashes.first().textContent()).replace(/\s+/g, " ");
  check(clashText.includes(me.group), `the clash is named: ${clashText.trim()}`);
  await audit("preview");
  await shot("preview");
  await page.getByRole("button", { name: "跳过这些日期，预约其余 3 次" }).click();
  await page.waitForSelector("text=预约好了");
  const mine = await page.textContent("main");
  check(mine.includes(`每周 周二 ${me.at}–${me.until}`), "her bookings show the weekly series");
  check((await page.locator(".date-row").count()) === 4, "three dates of the series and the one ahead");

  // A room that needs approval: pending, then confirmed.
  await page.click("text=预约房间");
  await page.click('a.room-card:has-text("多功能厅")');
  await page.waitForSelector("p.week-span");
  await nextWeek(page);
  const hall = await freeCell(page, me.hallDay, me.hallAt);
  check(hall !== null, "the hall has a free cell");
  await clickVisible(page, `a.cell.free[href="${hall}"]`);
  await page.waitForSelector("#purpose");
  check((await page.textContent("main")).includes("需要书记审批"), "the form says the hall needs approval");
  await page.fill("#purpose", "汇报演出");
  await page.fill("#headcount", "60");
  await page.getByRole("button", { name: "看看这些日期能不能约" }).click();
  await page.getByRole("button", { name: "预约这个时间" }).click();
  await page.waitForSelector("text=已提交，等书记审批");
  check((await page.locator(".badge.pending").count()) === 1, "her bookings show it pending");
  await audit("my room bookings");
  await shot("bookings");

  // The secretary approves it through the API.
  const login = await context.request.post(`${base}/api/v1/auth/login`, { data: { email: SECRETARY, password: "livingroom-demo" } });
  const token = (await login.json()).access_token;
  const hallId = new URL(hall, base).pathname.split("/")[4];
  const from = encodeURIComponent(new Date().toISOString());
  const to = encodeURIComponent(new Date(Date.now() + 40 * 86400e3).toISOString());
  const pending = await context.request.get(
    `${base}/api/v1/sites/demo/bookings?status=pending&resource_id=${hallId}&from=${from}&to=${to}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  let approved = 0;
  for (const b of (await pending.json()).items) {
    const res = await context.request.post(`${base}/api/v1/sites/demo/bookings/${b.id}/approve`,
      { headers: { authorization: `Bearer ${token}` } });
    if (res.ok()) approved += 1;
  }
  check(approved >= 1, `the secretary approved it (${approved})`);
  await page.goto(`${base}/s/demo/rooms/mine`);
  await page.waitForSelector("h1");
  check((await page.locator(".badge.pending").count()) === 0, "no longer pending");
  check((await page.locator(".badge.confirmed").count()) === 5, "everything of hers is confirmed");
  await shot("bookings-approved");
  await finish();
}
