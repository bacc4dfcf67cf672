// Journey 3, the volunteer: one volunteer finds her duty on the list (on a
// phone Dr Chen, on every week already; on the desk PC another signs up
// for just one date), sees her dates and says
// she cannot come to one; the cover request mail reaches a colleague, who
// opens its link signed out, signs in, confirms with one tap and sees the
// date among hers.
//
// The mail is read from the server's mail folder: the runner passes it as
// LIVINGROOM_MAIL_DIR (the folder the --demo server writes .eml files to).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { check, open, DEMO_PASSWORD } from "../lib.mjs";

export const name = "volunteer";

// Per width: who signs up, on which duty, how; who covers. Only volunteers,
// and none that other journeys use.
const CASES = {
  390: { absent: "chen.mei@livingroom.example", duty: "量血压", scope: "weekly",
         cover: "huang.yi@livingroom.example" },
  1280: { absent: "zhou.lawyer@livingroom.example", duty: "读报陪聊", scope: "once",
          cover: "wu.shifu@livingroom.example" },
};

// The cover link in the mail to `to` about `dutyName`: decodes the base64
// parts of each .eml there until one matches.
function coverLink(dir, to, dutyName) {
  // The folder appears with the first mail the server writes.
  if (!existsSync(dir)) return null;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".eml") && f.includes("cover"))) {
    const raw = readFileSync(join(dir, file), "utf8");
    if (!new RegExp(`^To: ${to.replace(/\./g, "\\.")}`, "m").test(raw)) continue;
    // Each run of base64 lines is one part's body.
    const bodies = raw.match(/(?:^[A-Za-z0-9+/=]{8,}\r?$\n?)+/gm) || [];
    const text = bodies.map((b) => Buffer.from(b.replace(/\s+/g, ""), "base64").toString("utf8")).join("\n");
    if (!text.includes(dutyName)) continue;
    const m = text.match(/https?:\/\/[^\s"<]+\/s\/demo\/duties\/\d+\/cover\/\d{4}-\d\d-\d\d/);
    if (m) return m[0];
  }
  return null;
}

async function waitForCoverLink(dir, to, dutyName) {
  for (let i = 0; i < 80; i += 1) {
    const link = coverLink(dir, to, dutyName);
    if (link) return link;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

export async function run(browser, base, size) {
  const c = CASES[size.width];
  console.log(`  (${c.absent}, then ${c.cover})`);

  // Volunteer A: the duty list after signing in.
  const a = await open(browser, base, "volunteer", size);
  await a.page.goto(`${base}/s/demo/duties`);
  await a.page.waitForSelector("#email");
  check(a.page.url().includes("/login?next="), "signed out, the duty list asks to sign in first");
  await a.page.fill("#email", c.absent);
  await a.page.fill("#password", DEMO_PASSWORD);
  await a.page.getByRole("button", { name: "登录" }).click();
  await a.page.waitForSelector("h1:has-text('志愿值班')");
  check(/\/s\/demo\/duties$/.test(a.page.url()), "and comes back to the duty list");
  const card = a.page.locator("li.duty", { hasText: c.duty });
  const cardText = (await card.textContent()).replace(/\s+/g, " ");
  check(/每周. \d\d:\d\d–\d\d:\d\d/.test(cardText), `the duty says when, in site time: ${cardText.slice(0, 80)}`);
  check(/还剩 \d 个名额|已满/.test(cardText), "and the places free on each date");
  await a.audit("duty list");
  await a.shot("list");

  // Every week (phone): the demo has Dr Chen on her Tuesday mornings
  // already, so her card offers no sign-up and her dates list them. Just
  // one date (desk PC): she signs up.
  if (c.scope === "weekly") {
    check((await card.getByRole("button", { name: "每周都来" }).count()) === 0, "already on every week: no sign-up offered");
    await a.page.click("text=我的值班日期");
    await a.page.waitForSelector("h1:has-text('我的值班日期')");
  } else {
    // The second date: the first may be under way today.
    await card.locator("li.date-row").nth(1).getByRole("button", { name: /只来这一次/ }).click();
    await a.page.waitForSelector("text=报名成功");
  }
  check(a.page.url().includes("/s/demo/duties/mine"), "signed up: my duty dates");
  const dates = a.page.locator("ul.my-dates li", { hasText: c.duty });
  check((await dates.count()) >= 1, `my dates list ${c.duty} (${await dates.count()} dates)`);
  await a.audit("my dates");
  await a.shot("mine");

  // "I cannot come" on one date, with a note.
  const row = dates.filter({ has: a.page.getByRole("link", { name: /我来不了/ }) }).first();
  const when = (await row.locator("strong").textContent()).trim();
  await row.getByRole("link", { name: /我来不了/ }).click();
  await a.page.waitForSelector("h1:has-text('来不了？')");
  check((await a.page.textContent("h1")).includes(when), `the question names the date: ${when}`);
  await a.audit("absence");
  await a.shot("absence");
  await a.page.getByLabel("说明（可以不填）").fill("家里有事");
  await a.page.getByRole("button", { name: "确认这天来不了" }).click();
  await a.page.waitForSelector("text=已登记请假");
  const notice = await a.page.textContent("p.notice");
  check(/已发邮件请 \d+ 位志愿者代班/.test(notice), `others are asked to cover: ${notice.trim()}`);
  check((await a.page.textContent("main")).includes("已请假"), "the date shows the absence");
  await a.finish();

  // The cover request mail, to volunteer B.
  const dir = process.env.LIVINGROOM_MAIL_DIR;
  if (!dir) {
    check(false, "LIVINGROOM_MAIL_DIR names the server's mail folder (the runner must pass it): cover step skipped");
    return;
  }
  const link = await waitForCoverLink(dir, c.cover, c.duty);
  check(link !== null, `the cover request mail to ${c.cover} links to the cover page: ${link}`);
  if (!link) return;

  // Volunteer B opens it signed out, signs in, and confirms with one tap.
  const b = await open(browser, base, "volunteer", size);
  const path = new URL(link).pathname;
  await b.page.goto(`${base}${path}`);
  await b.page.waitForSelector("#email");
  check(b.page.url().includes(`next=${path}`), "signed out, the link asks to sign in first");
  await b.page.fill("#email", c.cover);
  await b.page.fill("#password", DEMO_PASSWORD);
  await b.page.getByRole("button", { name: "登录" }).click();
  await b.page.waitForSelector("h1:has-text('代班')");
  const question = await b.page.textContent("h1");
  check(question.includes(c.duty) && question.includes(when), `the page asks: ${question.trim()}`);
  await b.audit("cover");
  await b.shot("cover");
  await b.page.getByRole("button", { name: "我来代班" }).click();
  await b.page.waitForSelector("text=谢谢你");
  const mine = b.page.locator("ul.my-dates li", { hasText: c.duty }).filter({ hasText: when });
  check((await mine.count()) === 1, `her dates show ${c.duty} ${when}`);
  await b.shot("covered");

  // The same link again: nothing more to do, said in words.
  await b.page.goto(`${base}${path}`);
  check((await b.page.textContent("main")).includes("不用再报名"), "opening the link again says she is already on");
  await b.finish();
}
