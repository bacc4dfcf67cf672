// Journey 6, the committee secretary in her console (issue 22): a group
// leader's requests for the hall wait for approval; the secretary opens
// 管理 from the navigation, sees what waits, opens 审批, does not approve
// one, saying why, and approves the other; the request leaves the queue and the leader's
// mail gives the reason in the secretary's words. Then 人员: she invites a
// new volunteer (a mistake first, shown next to its field) and finds her
// listed as invited; 值班 lists the week's duty dates; 日历 previews a
// pasted holiday range and a make-up Saturday, then saves them; 日志 finds an urgent claim by name,
// and its CSV downloads.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { DEMO_PASSWORD, check, open } from "../lib.mjs";

export const name = "secretary";

const SECRETARY = "secretary@livingroom.example";
const LEADER = "knitting.lead@livingroom.example";
// Each width asks for its own day and purpose, so the two runs never meet.
const ASK = { 390: { days: 23, hour: 9, purpose: "编织班年终展览" }, 1280: { days: 24, hour: 9, purpose: "编织班新年茶话会" } };
// And one she approves.
const ASK_OK = { 390: { days: 23, hour: 11, purpose: "编织班作品交流" }, 1280: { days: 24, hour: 11, purpose: "编织班毛线分享" } };

function mailsMentioning(text) {
  const dir = process.env.LIVINGROOM_MAIL_DIR;
  if (!dir) return null;
  let found = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".eml"))) {
    const raw = readFileSync(join(dir, f), "utf8");
    let all = raw;
    for (const m of raw.matchAll(/Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi)) {
      all += Buffer.from(m[1].replace(/\s+/g, ""), "base64").toString("utf8");
    }
    const qp = raw.replace(/=\r?\n/g, "").replace(/((?:=[0-9A-F]{2})+)/g, (s) => Buffer.from(s.replace(/=/g, ""), "hex").toString("utf8"));
    all += qp;
    if (all.includes(text)) found += 1;
  }
  return found;
}

// The leader asks for the hall through the API, as her phone's app would.
async function leaderAsks(context, base, ask) {
  const login = await context.request.post(`${base}/api/v1/auth/login`, { data: { email: LEADER, password: DEMO_PASSWORD } });
  const token = (await login.json()).access_token;
  const auth = { authorization: `Bearer ${token}` };
  const resources = await (await context.request.get(`${base}/api/v1/sites/demo/resources?limit=100`, { headers: auth })).json();
  const hall = resources.items.find((r) => r.name.startsWith("多功能厅"));
  const day = new Date(Date.now() + ask.days * 86400e3).toISOString().slice(0, 10);
  const hh = String(ask.hour).padStart(2, "0");
  const res = await context.request.post(`${base}/api/v1/sites/demo/bookings`, {
    headers: auth,
    data: { resource_id: hall.id, starts_at: `${day}T${hh}:00:00+08:00`, ends_at: `${day}T${hh}:30:00+08:00`, purpose: ask.purpose },
  });
  const body = await res.json();
  check(body.status === "pending", `the hall request waits for approval (${res.status()} ${body.detail ?? body.status})`);
}

// A computer claimed urgently (near the end of the 14 days a computer is
// booked ahead, early, where other journeys do not book), so the audit trail has an entry to show.
async function urgentUse(context, base, days) {
  const login = await context.request.post(`${base}/api/v1/auth/login`, { data: { email: SECRETARY, password: DEMO_PASSWORD } });
  const auth = { authorization: `Bearer ${(await login.json()).access_token}` };
  const resources = await (await context.request.get(`${base}/api/v1/sites/demo/resources?kind=computer&limit=100`, { headers: auth })).json();
  const pc = resources.items[resources.items.length - 1];
  const day = new Date(Date.now() + days * 86400e3).toISOString().slice(0, 10);
  const res = await context.request.post(`${base}/api/v1/sites/demo/bookings`, {
    headers: auth,
    data: { resource_id: pc.id, starts_at: `${day}T08:30:00+08:00`, ends_at: `${day}T09:00:00+08:00`, purpose: "打印低保材料",
            urgency: "urgent", reason: "居民当天要交材料" },
  });
  check(res.status() === 201, `an urgent claim of ${pc.name} (${res.status()} ${(await res.json()).detail ?? ""})`);
  return pc.name;
}

export async function run(browser, base, size) {
  const { page, context, shot, audit, finish, signIn, expectRefusal } = await open(browser, base, "secretary", size);
  const ask = ASK[size.width];
  await leaderAsks(context, base, ask);
  await leaderAsks(context, base, ASK_OK[size.width]);

  await signIn(SECRETARY);
  await page.waitForSelector("nav.bottom");
  await page.click("nav.bottom >> text=管理");
  await page.waitForSelector("nav.console");
  check((await page.textContent("main")).includes("等待审批"), "the console's front says requests wait");
  await audit("console");
  await shot("console");

  await page.click("nav.console >> text=审批");
  const card = page.locator("li.card", { hasText: ask.purpose });
  await card.waitFor();
  check((await card.textContent()).includes("编织"), "the request names its requester, not an id");
  await audit("approvals");
  await shot("approvals");

  const reason = `那天大厅要布置新年活动，请改到下周（${size.width}）。`;
  await card.locator("textarea").fill(reason);
  await card.getByRole("button", { name: "不批准" }).click();
  await page.waitForSelector("p.notice[role=status]");
  check((await page.locator("li.card", { hasText: ask.purpose }).count()) === 0, "the request has left the queue");
  await audit("approvals after a decision");

  // The other request she approves: it leaves the queue, confirmed.
  const good = ASK_OK[size.width];
  await page.locator("li.card", { hasText: good.purpose }).getByRole("button", { name: "批准", exact: true }).click();
  await page.waitForSelector("p.notice[role=status]:has-text('已批准')");
  check((await page.locator("li.card", { hasText: good.purpose }).count()) === 0, "the approved request has left the queue");

  // The mail is written by the outbox worker within a few seconds.
  let told = null;
  for (let i = 0; i < 40 && !told; i += 1) {
    told = mailsMentioning(reason);
    if (told === null) break;
    if (!told) await new Promise((r) => setTimeout(r, 500));
  }
  check(told !== null && told >= 1,
    told === null ? "LIVINGROOM_MAIL_DIR names the server's mail folder (the runner must pass it)" : "the leader's mail gives the reason");

  // 人员: invite a volunteer; a missing role is pointed out first.
  await page.click("nav.console >> text=人员");
  await page.waitForSelector("h2#invite");
  await audit("people");
  // The invitation is folded atop the roster: open it.
  await page.click("details.invite > summary");
  const email = `new.volunteer.${size.width}@livingroom.example`;
  await page.fill("#email", email);
  await page.fill("#name", `新志愿者${size.width}`);
  await page.uncheck("input[name=role_staff]");
  expectRefusal(`${base}/s/demo/console/people`);
  await page.getByRole("button", { name: "发送邀请" }).click();
  await page.waitForSelector("#roles-error");
  check((await page.inputValue("#email")) === email, "what she typed is kept after a mistake");
  await audit("people with a mistake");
  await page.check("input[name=role_volunteer]");
  await page.getByRole("button", { name: "发送邀请" }).click();
  await page.waitForSelector("p.notice[role=status]");
  check((await page.textContent("main")).includes(`新志愿者${size.width}`), "the invited volunteer is listed");
  await shot("people");

  // 值班: this week's duty dates, the short ones first.
  await page.click("nav.console >> text=值班");
  await page.waitForSelector("ul.duty-roll");
  check((await page.locator("ul.duty-roll > li.card").count()) > 0, "the demo's duty dates are listed");
  await audit("duties");
  await shot("duties");

  // 日历: next year's holidays are there; a pasted holiday range and a
  // make-up Saturday (调休) are previewed with what they change, then saved.
  // Each width saves its own year, after the demo's, so no other journey
  // (and not the other width) meets them.
  await page.click("nav.console >> text=日历");
  await page.waitForSelector("#holidays");
  await audit("calendar");
  const year = new Date().getFullYear() + (size.width === 390 ? 3 : 4);
  const saturday = new Date(Date.UTC(year, 10, 16));
  while (saturday.getUTCDay() !== 6) saturday.setUTCDate(saturday.getUTCDate() + 1);
  const makeUp = saturday.toISOString().slice(0, 10);
  await page.fill("#holidays", `${await page.inputValue("#holidays")}\n${year}-11-10 至 ${year}-11-12 社区活动\n`);
  await page.fill("#workdays", `${await page.inputValue("#workdays")}\n${makeUp} 补班\n`);
  await page.getByRole("button", { name: "看看会有什么变化" }).click();
  await page.waitForSelector("text=保存后会有这些变化");
  const preview = await page.textContent("main");
  check(preview.includes("新增的放假日期") && preview.includes(`${year}年11月10日`), "the preview lists the new holidays");
  const [, m, d] = makeUp.split("-").map(Number);
  check(preview.includes("新增的补班日期") && preview.includes(`${year}年${m}月${d}日 周六`), `the preview lists the make-up Saturday ${makeUp}`);
  await audit("calendar preview");
  await shot("calendar-preview");
  await page.getByRole("button", { name: "保存日历" }).click();
  await page.waitForSelector("text=日历已保存");
  const saved = await page.textContent("main");
  check(saved.includes(`${year}年11月12日`) && saved.includes(`${year}年${m}月${d}日 周六`), "saved: the holidays and the make-up Saturday are listed");

  // 日志: the trail by name in the site's time; its CSV is a spreadsheet.
  const pc = await urgentUse(context, base, size.width === 390 ? 12 : 13);
  await page.click("nav.console >> text=日志");
  await page.waitForSelector("form.audit-filter");
  const row = page.locator("table.audit tbody tr", { hasText: "居民当天要交材料" }).first();
  await row.waitFor();
  const text = await row.textContent();
  check(text.includes("王书记") && text.includes(pc) && text.includes("紧急使用"), "the entry names its person, computer and kind");
  await audit("audit trail");
  await shot("audit");
  const href = await page.getAttribute("a[href*='/console/audit/csv']", "href");
  const csv = await context.request.get(new URL(href, base).toString());
  check(csv.status() === 200, `the audit CSV downloads (${csv.status()})`);
  check((csv.headers()["content-type"] ?? "").startsWith("text/csv"), "the audit CSV is text/csv");
  await finish();
}
