// Drives GraphiQL in headless Chromium as a user would, and reports what happened as JSON on
// stdout; tests/gateway/test_graphiql.py makes the assertions.
//
//   node graphiql_browser.mjs '{"url", "token", "query", "chromium", "playwright"}'
//
// Every request to another origin is aborted, and every host name but 127.0.0.1 fails to
// resolve: the page has no network but the gateway, as on an intranet without internet.
const config = JSON.parse(process.argv[2]);
const { chromium } = await import(config.playwright);

const origin = new URL(config.url).origin;
// Errors are noted with the step they happened in: before the token is typed, the page's first
// introspection answers 401 (its headers hold a placeholder), as it should.
let step = "before the token";
const report = { sameOrigin: [], blocked: [], consoleErrors: [], pageErrors: [], cspViolations: [],
                 introspection: null, response: null, localStorage: null, sessionStorage: null };

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
  page.on("console", (message) => { if (message.type() === "error") report.consoleErrors.push({ step, text: message.text() }); });
  page.on("pageerror", (error) => report.pageErrors.push({ step, text: String(error) }));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  await page.goto(config.url, { waitUntil: "load" });
  await page.waitForSelector(".graphiql-container .graphiql-query-editor .CodeMirror", { timeout: 30000 });

  // The query, typed into the query editor (insertText: no bracket auto-closing to undo).
  await page.click(".graphiql-query-editor .CodeMirror");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(config.query);

  // The token, typed into the Headers pane.
  await page.click(".graphiql-editor-tools button[data-name=\"headers\"]");
  await page.click(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${config.token}` }));
  step = "with the token";

  // The schema for the explorer, fetched again with the token, as a user does.
  const introspected = page.waitForResponse((response) => response.url().startsWith(config.url)
    && (response.request().postData() || "").includes("__schema") && response.status() === 200);
  await page.click('button[aria-label="Re-fetch GraphQL schema"]');
  report.introspection = await (await introspected).text();

  await page.click(".graphiql-execute-button");
  await page.waitForFunction(() => {
    const editor = document.querySelector(".graphiql-response .CodeMirror");
    return editor && editor.CodeMirror.getValue().includes("\"data\"");
  }, null, { timeout: 30000 });
  report.response = await page.evaluate(
    () => document.querySelector(".graphiql-response .CodeMirror").CodeMirror.getValue());
  // Let GraphiQL write whatever it keeps (tabs, history) before reading the storages.
  await page.waitForTimeout(1000);
  report.localStorage = await page.evaluate(() => JSON.stringify({ ...window.localStorage }));
  report.sessionStorage = await page.evaluate(() => JSON.stringify({ ...window.sessionStorage }));

  // The user opts in: "Persist headers" in the settings dialog; the headers are kept from then on.
  await page.click('button[aria-label="Open settings dialog"]');
  await page.click("#enable-persist-headers");
  await page.waitForTimeout(500);
  report.localStorageAfterOptIn = await page.evaluate(() => JSON.stringify({ ...window.localStorage }));
  // ...and find them again after a reload.
  step = "after the reload";
  await page.reload({ waitUntil: "load" });
  await page.waitForSelector(".graphiql-container .graphiql-query-editor .CodeMirror", { timeout: 30000 });
  await page.click(".graphiql-editor-tools button[data-name=\"headers\"]");
  report.headersAfterReload = await page.evaluate(() => document.querySelector(
    ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror").CodeMirror.getValue());
  await page.waitForTimeout(500);
  report.localStorageAfterReload = await page.evaluate(() => JSON.stringify({ ...window.localStorage }));
  report.cspViolations = report.consoleErrors.filter((error) => error.text.startsWith("CSP violation"));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
