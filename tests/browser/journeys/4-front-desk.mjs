// Journey 4, front-desk staff: at each width one colleague offers a shift
// of hers from the published rota (after a confirmation), another signs in
// on a fresh browser and takes it, and both see the outcome.

import { check, open } from "../lib.mjs";

export const name = "front-desk";

// Only these four: other journeys use other people.
const PEOPLE = ["zhang.wei", "liu.yang", "chen.jing", "yang.fan"].map((n) => `${n}@livingroom.example`);

// The published rota ahead and who is senior, read as the secretary
// through the JSON API, to choose a swap the rules allow: the taker is
// not on the shift already, and a shift of two keeps a senior colleague.
async function chooseSwap(browser, base) {
  const context = await browser.newContext();
  const api = context.request;
  const login = await api.post(`${base}/api/v1/auth/login`, {
    data: { email: "secretary@livingroom.example", password: "livingroom-demo" },
  });
  const auth = { Authorization: `Bearer ${(await login.json()).access_token}` };
  const members = (await (await api.get(`${base}/api/v1/sites/demo/members?limit=100`, { headers: auth })).json()).items;
  const byEmail = new Map(members.map((m) => [m.email, m]));
  const senior = new Set(members.filter((m) => m.senior).map((m) => m.user_id));
  const shifts = await (await api.get(`${base}/api/v1/sites/demo/rota/shifts`, { headers: auth })).json();
  await context.close();
  const now = Date.now();
  for (const s of shifts) {
    if (!s.published || s.offered_by || Date.parse(s.starts_at) <= now + 60 * 60 * 1000) continue;
    const on = s.published.map((p) => p.id);
    for (const giver of PEOPLE.map((e) => byEmail.get(e)).filter((m) => on.includes(m.user_id))) {
      for (const taker of PEOPLE.map((e) => byEmail.get(e)).filter((m) => !on.includes(m.user_id))) {
        const after = on.filter((id) => id !== giver.user_id).concat([taker.user_id]);
        if (s.positions >= 2 && !after.some((id) => senior.has(id))) continue;
        return { shift: s, giver, taker };
      }
    }
  }
  return null;
}

export async function run(browser, base, size) {
  const swap = await chooseSwap(browser, base);
  check(swap !== null, "the demo rota has a shift one of the four can hand to another");
  if (!swap) return;
  const { shift, giver, taker } = swap;
  const card = `#shift-${shift.id}`;
  console.log(`  (${giver.email} offers shift ${shift.id}, ${taker.email} takes it)`);

  // She offers a shift of hers.
  const g = await open(browser, base, "front-desk", size);
  await g.signIn(giver.email);
  await g.page.click("nav.bottom >> text=接待班");
  await g.page.waitForSelector("h1:has-text('我的接待班')");
  check(await g.page.isVisible(`#mine ${card}`), "her shift is listed under 我的班");
  const line = (await g.page.textContent(card)).replace(/\s+/g, " ").trim();
  check(/\d\d:\d\d–\d\d:\d\d/.test(line) && /接待台/.test(line), `with its time and post: ${line}`);
  await g.audit("my shifts");
  await g.shot("my-shifts");
  await g.page.click(`${card} >> text=让出这个班`);
  await g.page.waitForSelector("h1:has-text('把这个班让给同事？')");
  await g.audit("offer confirmation");
  await g.shot("offer");
  await g.page.getByRole("button", { name: "确认让出" }).click();
  await g.page.waitForSelector("text=已让出，等同事来接");
  check((await g.page.textContent(card)).includes("已让出"), "her page says it waits for a colleague");

  // A colleague, on another browser, takes it.
  const t = await open(browser, base, "front-desk-taker", size);
  await t.signIn(taker.email);
  await t.page.goto(`${base}/s/demo/shifts`);
  await t.page.waitForSelector(`#offered ${card}`);
  check((await t.page.textContent(card)).includes(giver.name), "the offer names who offers it");
  await t.page.click(`${card} >> button:has-text('接这个班')`);
  await t.page.waitForSelector("text=接班成功");
  check(await t.page.isVisible(`#mine ${card}`), "the shift is now under her 我的班");
  const week = `/s/demo/shifts?week=${shift.date}`;
  await t.page.goto(`${base}${week}`);
  await t.page.waitForSelector("#week");
  check((await t.page.textContent(".week")).includes(`${taker.name}（你）`), "the week's rota shows her at the post");
  await t.audit("after taking");
  await t.shot("taken");

  // The one who offered sees who took it.
  await g.page.goto(`${base}/s/demo/shifts`);
  await g.page.waitForSelector("h1:has-text('我的接待班')");
  const main = await g.page.textContent("main");
  check(main.includes(`${taker.name} 接了你的班`), "she sees who took her shift");
  check((await g.page.locator(`#mine ${card}`).count()) === 0, "and it is no longer among her shifts");
  await g.shot("handed-over");
  await t.finish();
  await g.finish();
}
