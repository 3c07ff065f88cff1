"""Loads the UI overview in headless Chromium and reports time to a fully rendered table and bytes transferred."""
import statistics
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

url, count, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
    options.add_argument(arg)

# Milliseconds from navigation start until every connector row is in the table; the page's own
# requests (document, script, style, API calls) summed by their transfer size.
MEASURE = """
const rows = document.querySelectorAll('#connectors tbody tr[data-name]').length;
if (rows < arguments[0]) return null;
const nav = performance.getEntriesByType('navigation')[0];
const resources = performance.getEntriesByType('resource');
return { rendered: performance.now(), interactive: nav.domInteractive,
         bytes: nav.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
         decoded: nav.decodedBodySize + resources.reduce((s, r) => s + r.decodedBodySize, 0),
         requests: 1 + resources.length };
"""


def load(driver, target):
    driver.get(target)
    deadline = time.time() + 60
    while time.time() < deadline:
        result = driver.execute_script(MEASURE, count)
        if result:
            return result
        time.sleep(0.01)
    raise SystemExit(f"the overview did not show {count} rows within 60 s")


def report(name, results):
    rendered = [r["rendered"] for r in results]
    print(f"{name}: rendered median {statistics.median(rendered):.0f} ms (min {min(rendered):.0f}, max {max(rendered):.0f}), "
          f"DOM interactive median {statistics.median(r['interactive'] for r in results):.0f} ms, "
          f"{results[0]['requests']} requests, {results[0]['bytes']:,} bytes transferred ({results[0]['decoded']:,} decoded)")


cold, warm = [], []
for i in range(runs):
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        cold.append(load(driver, f"{url}?run={i}"))  # a fresh browser: nothing cached
        warm.append(load(driver, f"{url}?run={i}&again=1"))  # same browser: files revalidated (304)
    finally:
        driver.quit()
report(f"cold load, {count} connectors, {runs} runs", cold)
report(f"warm load, {count} connectors, {runs} runs", warm)
