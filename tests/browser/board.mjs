// Loads the wall board of a seeded site in headless Chromium at wall-screen
// and phone sizes, and checks what a resident standing in front of it sees:
// the desk person, a room booking and a duty; no console errors; no request
// to any other host; no horizontal scrolling on a phone; large type on the
// wall. Screenshots are kept under target/ as CI artifacts.
//
// Usage: node board.mjs http://127.0.0.1:PORT   (a server started with --demo)

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const base = process.argv[2];
if (!base) {
  console.error("usage: node board.mjs BASE_URL");
  process.exit(2);
}
const origin = new URL(base).host;
let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok" : "FAILED"} - ${what}`);
  if (!ok) failures += 1;
}

async function api(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function login(email) {
  return (await api("POST", "/api/v1/auth/login", null, { email, password: "livingroom-demo" })).access_token;
}

// Seed "today" in the demo site: a desk shift now, a group's room booking
// now, and a volunteer duty today.
const admin = await login("secretary@livingroom.example");
const site = "demo";
const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
const weekday = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][new Date(`${today}T12:00:00+08:00`).getUTCDay()];
await api("PUT", `/api/v1/sites/${site}/calendar`, admin, { workdays: [today] });
await api("PUT", `/api/v1/sites/${site}/rota/templates`, admin, [
  { weekday, start: "00:00", end: "24:00", positions: 1, label: "首问接待", desk_pool: "reception" },
]);
const draft = await api("POST", `/api/v1/sites/${site}/rota/generate`, admin, { from: today, to: today });
const deskPerson = draft.shifts[0].assignees[0].name;
await api("POST", `/api/v1/sites/${site}/rota/publish`, admin, { from: today, to: today });

const rooms = await api("GET", `/api/v1/sites/${site}/resources?kind=room`, admin);
const qipaoRoom = rooms.items.find((r) => r.features.includes("piano"));
// Open at any hour, so "now" is bookable whenever CI runs (the demo's rooms
// close in the evening, Shanghai time).
await api("PATCH", `/api/v1/sites/${site}/resources/${qipaoRoom.id}`, admin, {
  rules: { min_notice_minutes: 0 }, opening_hours: null,
});
const groups = await api("GET", `/api/v1/sites/${site}/groups`, admin);
const qipao = groups.items.find((g) => g.name.includes("Qipao"));
const leader = await login("qipao.lead@livingroom.example");
const now = Date.now();
const slotStart = new Date(now - (now % (30 * 60 * 1000)));
const slotEnd = new Date(slotStart.getTime() + 30 * 60 * 1000);
await api("POST", `/api/v1/sites/${site}/bookings`, leader, {
  resource_id: qipaoRoom.id, starts_at: slotStart.toISOString(), ends_at: slotEnd.toISOString(),
  purpose: "rehearsal", group_id: qipao.id,
});
const duty = await api("POST", `/api/v1/sites/${site}/duties`, admin, {
  name: "量血压 Blood pressure", weekday, start: "00:00", end: "24:00", capacity: 1, skill: "medical",
});
// The demo has Dr Chen on Tuesday mornings, and one volunteer is on one
// duty at a time: on a Tuesday her colleague takes this one.
const [doctorEmail, doctorName] = weekday === "tue"
  ? ["huang.yi@livingroom.example", "黄医生"] : ["chen.mei@livingroom.example", "陈梅"];
const doctor = await login(doctorEmail);
await api("POST", `/api/v1/sites/${site}/duties/${duty.id}/signups`, doctor, { scope: "weekly" });

mkdirSync("../../target", { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"],
});
for (const [name, width, height] of [["wall", 1920, 1080], ["tv", 3840, 2160], ["phone", 360, 800]]) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  const foreign = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => { const u = new URL(r.url()); if (u.host !== origin) foreign.push(r.url()); });
  await page.goto(`${base}/board/${site}`, { waitUntil: "networkidle" });
  const text = await page.innerText("body");
  check(text.includes(deskPerson), `${name}: the desk person (${deskPerson}) is shown`);
  check(text.includes("旗袍班"), `${name}: the qipao class booking is shown`);
  check(text.includes("量血压") && text.includes(doctorName), `${name}: the duty and who is on it are shown`);
  check(!text.includes("@livingroom.example") && !text.includes("rehearsal"), `${name}: nothing private is shown`);
  check(errors.length === 0, `${name}: no console errors ${JSON.stringify(errors)}`);
  check(foreign.length === 0, `${name}: no requests to other hosts ${JSON.stringify(foreign)}`);
  const layout = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
    font: parseFloat(getComputedStyle(document.body).fontSize),
  }));
  check(layout.scroll <= layout.inner, `${name}: no horizontal scroll (${layout.scroll} <= ${layout.inner})`);
  if (name === "wall") check(layout.font >= 28, `wall: body type at least 28px (${layout.font}px)`);
  // A 4K television at scale 1: the type grows with the screen, so the
  // board fills it instead of a third of it.
  if (name === "tv") {
    check(layout.font >= 50, `4K: body type grows with the screen (${layout.font}px)`);
    const used = await page.evaluate(() => document.querySelector("main").getBoundingClientRect().height);
    check(used >= height * 0.45, `4K: the board fills the screen's height, not a corner (${Math.round(used)} of ${height}px)`);
  }
  await page.screenshot({ path: `../../target/board-${name}.png`, fullPage: true });
  await page.close();
}
await browser.close();
console.log(`${failures === 0 ? "board: all checks passed" : `board: ${failures} checks FAILED`}`);
process.exit(failures === 0 ? 0 : 1);
