// Journey 10, the secretary connects the front-desk group's WeCom robot
// (issue 24): 管理 → 群机器人; she pastes the robot's address under the
// wrong host first (pointed out next to the field, the address not written
// back), then the right one; the robot is listed with its key hidden but
// its last four characters; she sends a test message and sees it queued;
// she replaces the key (the old one gone from the page too) and removes
// the robot after being asked once. Each width makes its own robot, so the
// two runs never meet. The server never reaches WeCom from here: whatever
// becomes of the test message, the page only has to show it.

import { check, open } from "../lib.mjs";

export const name = "channels";

const SECRETARY = "secretary@livingroom.example";

const robotUrl = (key, host = "qyapi.weixin.qq.com") => `https://${host}/cgi-bin/webhook/send?key=${key}`;

export async function run(browser, base, size) {
  const { page, shot, audit, finish, signIn, expectRefusal } = await open(browser, base, "channels", size);
  const robot = `前台群${size.width}`;
  const oldKey = `693a91f6-${size.width}-4bc4-97a0-0ec2sifaaaaa`;
  const newKey = `7f1e22c0-${size.width}-41d3-8b5e-93aa0c01bbbb`;

  await signIn(SECRETARY);
  await page.waitForSelector("nav.bottom");
  await page.click("nav.bottom >> text=管理");
  await page.waitForSelector("nav.console");
  await page.click("nav.console >> text=群机器人");
  await page.waitForSelector("h1:has-text('群机器人和 Webhook')");
  await audit("robots");
  await shot("robots");

  await page.getByRole("link", { name: "添加群机器人或 Webhook" }).click();
  await page.waitForSelector("#url");
  check(await page.isChecked("input[name=kind][value=wecom]"), "a WeCom group robot is what the form starts from");
  check((await page.getAttribute("#secret", "type")) === "password", "the secret is typed as a password");
  await page.fill("#name", robot);
  await page.fill("#url", robotUrl(oldKey, "example.org"));
  await audit("new robot");
  expectRefusal(`${base}/s/demo/console/channels`);
  await page.getByRole("button", { name: "添加", exact: true }).click();
  await page.waitForSelector("#url-error");
  check((await page.textContent("#url-error")).includes("企业微信群机器人的地址形如"), "the wrong address is pointed out next to its field");
  check((await page.inputValue("#name")) === robot, "the name is kept after a mistake");
  check((await page.inputValue("#url")) === "", "the address typed is not written back into the page");
  check(!(await page.content()).includes(oldKey), "the key typed is nowhere in the page");
  await audit("new robot with a mistake");
  await shot("new-robot-mistake");

  await page.fill("#url", robotUrl(oldKey));
  await page.getByRole("button", { name: "添加", exact: true }).click();
  await page.waitForSelector("p.notice[role=status]");
  const card = page.locator("li.card", { hasText: robot });
  await card.waitFor();
  let words = await card.textContent();
  check(words.includes("企业微信群机器人") && words.includes("…aaaa"), `the robot is listed with its key hidden (${words})`);
  check(!(await page.content()).includes(oldKey), "the key is nowhere in the list");
  check(words.includes("排班发布") && words.includes("值班缺人"), "what it sends is said in words");
  await audit("robots with the new one");
  await shot("robots-new");

  await card.getByRole("button", { name: `发送测试消息 ${robot}` }).click();
  await page.waitForSelector("p.notice[role=status]:has-text('测试消息已排队')");
  words = await page.locator("li.card", { hasText: robot }).textContent();
  check(words.includes("测试消息") && /等待发送|已发送|已放弃/.test(words), `the test message is listed with its state in words (${words})`);
  await audit("robots after a test");
  await shot("robots-tested");

  await page.locator("li.card", { hasText: robot }).getByRole("link", { name: `修改 ${robot}` }).click();
  await page.waitForSelector("#keep-note");
  check((await page.textContent("#keep-note")).includes("留空则不变"), "the change form says an empty field keeps what is saved");
  check((await page.inputValue("#url")) === "", "the saved address is not in the form");
  await page.fill("#url", robotUrl(newKey));
  await audit("change robot");
  await page.getByRole("button", { name: "保存" }).click();
  await page.waitForSelector("p.notice[role=status]:has-text('已保存')");
  words = await page.locator("li.card", { hasText: robot }).textContent();
  check(words.includes("…bbbb") && !words.includes("…aaaa"), `the key is replaced (${words})`);
  const html = await page.content();
  check(!html.includes(newKey) && !html.includes(oldKey), "neither key is in the page");

  await page.locator("li.card", { hasText: robot }).getByRole("link", { name: `删除 ${robot}` }).click();
  await page.waitForSelector("h1:has-text('要删除它吗')");
  check((await page.textContent("main")).includes(robot), "the question names the robot");
  await audit("remove robot");
  await shot("remove-robot");
  await page.getByRole("button", { name: `删除 ${robot}` }).click();
  await page.waitForSelector("p.notice[role=status]:has-text('已删除')");
  check((await page.locator("li.card", { hasText: robot }).count()) === 0, "the robot is gone from the list");
  await audit("robots after removing one");
  await finish();
}
