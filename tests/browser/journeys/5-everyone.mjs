// Journey 5, everyone: sign in, her own page (/me): switch the language
// and back, change a mail setting and see it kept, make the calendar link,
// see its QR code, make a new one (the old stops working); a computer's
// printable check-in sign; sign out everywhere (another browser signed in
// as her is signed out too); forgot password, the reset mail, a new
// password, signing in with it (and back to the demo password from /me);
// and an invitation sent by the secretary through the API, opened from
// its mail. Mail is read from the files under LIVINGROOM_MAIL_DIR.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DEMO_PASSWORD, check, open } from "../lib.mjs";

export const name = "everyone";

// Staff both: the computer sign is for staff and admins.
const PEOPLE = { 390: "sun.lei@livingroom.example", 1280: "zhao.min@livingroom.example" };
const SECRETARY = "secretary@livingroom.example";

const MAIL_DIR = process.env.LIVINGROOM_MAIL_DIR;

function mailFiles() {
  if (!MAIL_DIR) return [];
  try {
    return readdirSync(MAIL_DIR).filter((f) => f.endsWith(".eml")).map((f) => join(MAIL_DIR, f));
  } catch {
    return [];
  }
}

// The text of a stored message with its parts decoded (base64 or
// quoted-printable), enough to find a link in it.
function decoded(raw) {
  let out = raw;
  for (const m of raw.matchAll(/Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi)) {
    out += "\n" + Buffer.from(m[1].replace(/\s+/g, ""), "base64").toString("utf8");
  }
  const qp = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return out + "\n" + qp;
}

// Waits for a new message to `to` (not among `before`) with a link of
// `path`; returns the link's path and query.
async function linkFromMail(to, path, before) {
  const re = new RegExp(`${path.replace("/", "\\/")}\\?token=([A-Za-z0-9_-]+)`);
  for (let i = 0; i < 60; i += 1) {
    const fresh = mailFiles()
      .filter((f) => !before.has(f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    for (const f of fresh) {
      const text = decoded(readFileSync(f, "utf8"));
      if (!text.toLowerCase().includes(to.toLowerCase())) continue;
      const m = text.match(re);
      if (m) return `${path}?token=${m[1]}`;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}

async function signInAt(page, base, email, password, next = "/me") {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.locator("main form button[type=submit]").first().click()]);
}

async function apiToken(request, base, email) {
  const res = await request.post(`${base}/api/v1/auth/login`, { data: { email, password: DEMO_PASSWORD } });
  return (await res.json()).access_token;
}

export async function run(browser, base, size) {
  const me = await open(browser, base, "everyone", size);
  const { page, context, shot, audit } = me;
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const email = PEOPLE[size.width];
  console.log(`  (${email})`);

  // Sign in, straight to her page.
  await signInAt(page, base, email, DEMO_PASSWORD);
  await page.waitForSelector("h1:has-text('我的设置')");
  check(page.url().endsWith("/me"), "signed in, /me is her page");
  check((await page.textContent("main")).includes(email), "it shows her e-mail address");
  await audit("me");
  await shot("me");

  // Language: English at once, then back.
  await page.getByRole("button", { name: "Switch to English" }).click();
  await page.waitForSelector("h1:has-text('My settings')");
  check((await page.textContent("nav.bottom")).includes("Home"), "the navigation is in English too");
  check((await page.getAttribute("html", "lang")) === "en", "the page says it is English");
  await page.goto(`${base}/s/demo`);
  check((await page.textContent("body")).includes("Use a computer"), "other pages switch as well");
  await page.goto(`${base}/me`);
  await page.getByRole("button", { name: "改用中文" }).click();
  await page.waitForSelector("h1:has-text('我的设置')");
  check((await page.getAttribute("html", "lang")) === "zh-CN", "and back to Chinese");

  // A mail setting, kept: off, then on again.
  for (const want of [false, true]) {
    await page.setChecked("#kind-booking_confirmed", want);
    await page.getByRole("button", { name: "保存通知设置" }).click();
    await page.waitForSelector("text=通知设置已保存");
    await page.goto(`${base}/me`);
    check((await page.isChecked("#kind-booking_confirmed")) === want, `"预约成功" mail kept ${want ? "on" : "off"}`);
  }

  // The calendar link: made, shown with its QR code, copied; made again.
  await page.locator("#calendar form button[type=submit]").click();
  await page.waitForSelector("#feed-url");
  const first = await page.inputValue("#feed-url");
  check(/\/api\/v1\/calendar\/[A-Za-z0-9_-]+\.ics$/.test(first), "the calendar link is shown");
  check(await page.isVisible("#calendar svg.qr"), "with its QR code");
  await page.getByRole("button", { name: "复制链接" }).click();
  await page.waitForSelector("#feed-copied:has-text('已复制')");
  check(true, "the copy button copies it");
  await audit("calendar link");
  await shot("calendar");
  const path = (url) => new URL(url).pathname;
  check((await context.request.get(`${base}${path(first)}`)).status() === 200, "the link answers with a calendar");
  await page.locator("#calendar form button[type=submit]").click();
  await page.waitForFunction((old) => {
    const f = document.querySelector("#feed-url");
    return f && f.value !== old;
  }, first);
  const second = await page.inputValue("#feed-url");
  check(second !== first, "a new link is made");
  check((await context.request.get(`${base}${path(first)}`)).status() === 404, "the old link stops working (404)");
  check((await context.request.get(`${base}${path(second)}`)).status() === 200, "the new one works");

  // A computer's check-in sign, to print.
  const token = await apiToken(context.request, base, email);
  const resources = await (await context.request.get(`${base}/api/v1/sites/demo/resources`, {
    headers: { Authorization: `Bearer ${token}` },
  })).json();
  const computer = (resources.items || resources).find((r) => r.kind === "computer");
  await page.goto(`${base}/s/demo/resources/${computer.id}/qr`);
  await page.waitForSelector(".sign svg.qr");
  check((await page.textContent(".sign-url")).includes(`/s/demo/check-in/${computer.id}`), "the sign carries the check-in address");
  await audit("check-in sign");
  await shot("qr-sign");
  await page.emulateMedia({ media: "print" });
  await shot("qr-sign-print");
  await page.emulateMedia({ media: "screen" });

  // Sign out everywhere: another browser signed in as her is signed out too.
  const other = await open(browser, base, "everyone-other", size);
  await signInAt(other.page, base, email, DEMO_PASSWORD);
  await other.page.waitForSelector("h1:has-text('我的设置')");
  await page.goto(`${base}/me`);
  await page.getByRole("button", { name: "在所有设备上退出" }).click();
  await page.waitForSelector("text=已在所有设备上退出登录");
  check((await context.request.get(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })).status() === 401,
    "her API session ended too");
  await other.page.goto(`${base}/me`);
  await other.page.waitForSelector("#email");
  check(other.page.url().includes("/login"), "the other browser is signed out");
  await other.finish();

  // Forgot password: the page, the mail, a new password, signing in with it.
  check(Boolean(MAIL_DIR), "LIVINGROOM_MAIL_DIR names the server's mail folder");
  await page.goto(`${base}/forgot-password`);
  await audit("forgot password");
  await shot("forgot");
  const before = new Set(mailFiles());
  await page.fill("#email", email);
  await page.getByRole("button", { name: "发送重设链接" }).click();
  await page.waitForSelector("text=重设密码的链接已经发出");
  const reset = await linkFromMail(email, "/reset-password", before);
  check(Boolean(reset), "the reset mail came with its link");
  const fresh = `journey-5-${Date.now()}`;
  if (reset) {
    await page.goto(`${base}${reset}`);
    await page.waitForSelector("#password");
    await audit("reset password");
    await shot("reset");
    await page.fill("#password", fresh);
    await page.fill("#password_again", fresh);
    await page.getByRole("button", { name: "保存密码" }).click();
    await page.waitForSelector("text=密码已保存");
    await signInAt(page, base, email, fresh);
    await page.waitForSelector("h1:has-text('我的设置')");
    check(true, "signed in with the new password");
    // Back to the demo password, through the change-password form.
    await page.fill("#current_password", fresh);
    await page.fill("#new_password", DEMO_PASSWORD);
    await page.getByRole("button", { name: "修改密码" }).click();
    await page.waitForSelector("text=密码已修改");
    await signInAt(page, base, email, DEMO_PASSWORD);
    await page.waitForSelector("h1:has-text('我的设置')");
    check(true, "the password changed from /me works");
  }

  // An invitation: the secretary adds a person through the API, who sets
  // a password from the mail's link and signs in.
  const secretary = await apiToken(context.request, base, SECRETARY);
  const invitee = `invited-${size.width}-${Date.now()}@livingroom.example`;
  const mailsBefore = new Set(mailFiles());
  const added = await context.request.post(`${base}/api/v1/sites/demo/members`, {
    headers: { Authorization: `Bearer ${secretary}` },
    data: { email: invitee, name: "新志愿者 New volunteer", roles: ["volunteer"] },
  });
  check(added.status() === 201, `the secretary invites ${invitee} (${added.status()})`);
  const invite = await linkFromMail(invitee, "/accept-invite", mailsBefore);
  check(Boolean(invite), "the invitation mail came with its link");
  if (invite) {
    const guest = await open(browser, base, "everyone-invited", size);
    await guest.page.goto(`${base}${invite}`);
    await guest.page.waitForSelector("#password");
    await guest.audit("invitation");
    await guest.shot("invitation");
    const pw = `welcome-${Date.now()}`;
    await guest.page.fill("#password", pw);
    await guest.page.fill("#password_again", pw);
    await guest.page.getByRole("button", { name: "保存密码" }).click();
    await guest.page.waitForSelector("text=密码已保存");
    await signInAt(guest.page, base, invitee, pw);
    await guest.page.waitForSelector("h1:has-text('我的设置')");
    check((await guest.page.textContent("main")).includes(invitee), "the invited person is signed in");
    await guest.finish();
  }
  await me.finish();
}
