// Drives the gateway's map page in headless Chromium as a user would, and reports what happened as
// JSON on stdout; tests/gateway/test_map_page.py makes the assertions.
//
//   node map_browser.mjs '{"url", "token", "region", "chromium", "playwright"}'
//
// Every request to another origin is aborted, and every host name but 127.0.0.1 fails to resolve:
// the page has no network but the gateway, as on an intranet without internet.
const config = JSON.parse(process.argv[2]);
const { chromium } = await import(config.playwright);

const origin = new URL(config.url).origin;
const report = { sameOrigin: [], blocked: [], consoleErrors: [], pageErrors: [], fetched: [], summary: null,
                 drawn: 0, choropleth: null, localStorage: null, sessionStorage: null };

const browser = await chromium.launch({
  executablePath: config.chromium,
  headless: true,
  args: ["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
});
try {
  const context = await browser.newContext();
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) {
      report.sameOrigin.push(url);
      return route.continue();
    }
    report.blocked.push(url);
    return route.abort("internetdisconnected");
  });
  const page = await context.newPage();
  page.on("console", (message) => { if (message.type() === "error") report.consoleErrors.push(message.text()); });
  page.on("pageerror", (error) => report.pageErrors.push(String(error)));
  page.on("response", async (response) => {
    if (response.request().method() === "POST" && response.url().endsWith("/graphql")) {
      report.fetched.push({ request: response.request().postData(), body: await response.text() });
    }
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  await page.goto(config.url, { waitUntil: "load" });
  await page.waitForSelector("#map.leaflet-container", { timeout: 30000 });
  await page.fill("#token", config.token);
  await page.fill("#region", config.region);
  await page.click("button[type=submit]");
  await page.waitForSelector("#summary[data-state=done], #summary[data-state=error]", { timeout: 60000 });
  report.summary = await page.evaluate(() => ({ ...document.getElementById("summary").dataset,
                                                text: document.getElementById("summary").textContent }));
  // What Leaflet drew: one SVG path per feature (circle or cell).
  report.drawn = await page.evaluate(() => document.querySelectorAll("#map path.leaflet-interactive").length);
  report.choropleth = await page.evaluate(() => ({
    state: document.getElementById("choropleth").dataset.state,
    rows: [...document.querySelectorAll("#regions tr")].map((tr) => [...tr.cells].map((td) => td.textContent)),
  }));
  report.localStorage = await page.evaluate(() => JSON.stringify({ ...window.localStorage }));
  report.sessionStorage = await page.evaluate(() => JSON.stringify({ ...window.sessionStorage }));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
