// Usage: node check_site.mjs BASE_URL SCREENSHOT_DIR
// Prints one JSON object with what it found; exits 1 when a check fails.
import { chromium } from "playwright-core";

const [base, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const found = {};
try {
  await page.goto(`${base}/`);
  found.title = await page.title();
  await page.screenshot({ path: `${shots}/home.png` });

  await page.keyboard.press("/");  // material's search shortcut; typing fires its key events
  await page.keyboard.type("idempotency", { delay: 30 });
  await page.waitForSelector(".md-search-result__item a", { timeout: 20000 });
  found.search = await page.$$eval(".md-search-result__item a", (as) => as.map((a) => a.getAttribute("href")));
  await page.screenshot({ path: `${shots}/search.png` });

  await page.goto(`${base}/chapters/27.02_dags/`);
  found.chapterImages = await page.$$eval("article img", (imgs) => imgs.map((i) => i.getAttribute("src")));
  found.chapterCode = await page.$$eval("article pre", (pres) => pres.length);
  await page.screenshot({ path: `${shots}/chapter.png`, fullPage: false });

  await page.goto(`${base}/exercises/27.01/`);
  found.exerciseHeaders = await page.$$eval("article table th", (ths) => ths.map((t) => t.textContent.trim()));
  await page.screenshot({ path: `${shots}/exercise.png` });
} catch (error) {
  found.error = String(error);
}
await browser.close();
console.log(JSON.stringify(found));
process.exit(found.error ? 1 : 0);
