// Journey 7, the committee secretary's reports (issue 22): 管理 → 报表, then
// each report in turn: its chart and table pass axe and fit the width; its
// CSV downloads (a real download through the link) and the CSV's totals
// row equals the totals row of the table on the page, figure by figure,
// and it has as many rows as the table.

import { readFileSync } from "node:fs";

import { check, open } from "../lib.mjs";

export const name = "reports";

const SECRETARY = "secretary@livingroom.example";

// RFC 4180 as the server writes it: quoted fields may hold commas,
// doubled quotes and line breaks.
function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n") { row.push(field.replace(/\r$/, "")); rows.push(row); row = []; field = ""; }
    else field += c;
  }
  if (field !== "" || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

// A figure as a number; an empty cell (no meaning) as null.
const figure = (s) => (s.trim() === "" ? null : Number(s.trim()));

export async function run(browser, base, size) {
  const { page, shot, audit, finish, signIn } = await open(browser, base, "reports", size);
  await signIn(SECRETARY);
  await page.waitForSelector("nav.bottom");
  await page.click("nav.bottom >> text=管理");
  await page.waitForSelector("nav.console");
  // The console's front page has cards too: wait for the reports' own
  // address, or the links read below could be the front page's.
  await page.click("nav.console >> text=报表");
  await page.waitForURL(/\/console\/reports$/);
  await page.waitForSelector("ul.cards");
  await audit("the list of reports");
  await shot("list");
  const reports = await page.$$eval("ul.cards h2 a", (as) => as.map((a) => ({ href: a.getAttribute("href"), title: a.textContent.trim() })));
  check(reports.length >= 1, `the list links the reports (${reports.map((r) => r.title).join(", ")})`);

  for (const report of reports) {
    const slug = report.href.split("/").pop();
    await page.goto(`${base}/s/demo/console/reports`);
    await page.click(`ul.cards a[href='${report.href}']`);
    // The list has an h1 too: wait for what only a report has.
    await page.waitForSelector("table.report");
    check((await page.textContent("h1")).trim() === report.title, `${slug}: the page is the report asked for`);
    const table = await page.$eval("table.report", (t) => ({
      rows: t.querySelectorAll("tbody tr").length,
      totals: [...t.querySelectorAll("tfoot tr.totals > *")].map((c) => c.textContent.trim()),
      caption: t.querySelector("caption")?.textContent.trim() ?? "",
    }));
    check(table.caption.length > 0, `${slug}: the table has a caption`);
    if (table.rows > 0) {
      check((await page.locator("svg.chart[role=img]").count()) >= 1, `${slug}: the chart is drawn`);
    }
    await audit(`report ${slug}`);
    await shot(slug);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("p.report-actions a[download]"),
    ]);
    check(/^[a-z_]+-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/.test(download.suggestedFilename()),
      `${slug}: the CSV is named after the report and its period (${download.suggestedFilename()})`);
    const csv = parseCsv(readFileSync(await download.path(), "utf8"));
    if (table.totals.length === 0) {
      // A table without totals (the summary's measures of mixed units):
      // the CSV has the header and the rows, nothing more.
      check(csv.length - 1 === table.rows, `${slug}: no totals row; the CSV has the table's ${table.rows} rows`);
      continue;
    }
    const csvTotals = csv.at(-1) ?? [];
    check(csvTotals.length === table.totals.length,
      `${slug}: the CSV and the page both end in a totals row of ${table.totals.length} cells`);
    // The first cell is the row's label (合计, or a key in the CSV, on the
    // page); every other cell is a figure and must be the same number.
    const same = table.totals.slice(1).every((cell, i) => figure(cell) === figure(csvTotals[i + 1] ?? "x"));
    check(same, `${slug}: the CSV's totals equal the table's (${csvTotals.slice(1).join(" ")} / ${table.totals.slice(1).join(" ")})`);
    check(csv.length - 2 === table.rows, `${slug}: the CSV has the table's ${table.rows} rows`);
  }
  await finish();
}
