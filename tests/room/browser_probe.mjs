// Test helper: open a `supatui serve` URL in Debian's headless Chromium (playwright-core, no
// browser download) and report what the page requested and what its terminal received.
// Usage: node browser_probe.mjs URL SCREENSHOT.png WORD... ; prints one JSON line.
import { chromium } from "playwright-core";

const [url, shot, ...words] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const result = { requests: [], found: [], missing: words, firstByte: false, error: null };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("request", (request) => result.requests.push(request.url()));
  // Keep a copy of what the terminal is fed: textual.js writes every binary frame to xterm.js.
  await page.addInitScript(() => {
    window.__frames = [];
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener("message", (event) => {
          if (typeof event.data !== "string") window.__frames.push(new TextDecoder().decode(event.data));
        });
      }
    };
  });
  await page.goto(url);
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    const text = await page.evaluate(() => window.__frames.join("").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ""));
    const seen = text.toLowerCase();
    result.found = words.filter((word) => seen.includes(word.toLowerCase()));
    result.missing = words.filter((word) => !seen.includes(word.toLowerCase()));
    if (result.missing.length === 0) break;
    await page.waitForTimeout(500);
  }
  result.firstByte = await page.evaluate(() => document.body.classList.contains("-first-byte"));
  await page.waitForTimeout(1000);
  await page.screenshot({ path: shot });
} catch (error) {
  result.error = String(error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
