"""axe-core in the browser walks: every page and state a walk visits is audited, and a serious
or critical violation fails the walk (each one printed: page, rule, target).

axe-core comes from the npm registry, installed by `.ci/run` outside the repository
(target/axe/); STAFFEL_AXE names another copy of `axe.min.js`. Without it the audits fail
rather than pass silently.
"""
import json
import os
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AXE_JS = os.environ.get("STAFFEL_AXE") or os.path.join(ROOT, "target", "axe", "node_modules", "axe-core", "axe.min.js")
# Only these fail the walk; minor and moderate findings are printed as a count.
FAILING = ("serious", "critical")
PHONE_WIDTH = 320

_source = None
audited = 0
seconds = 0.0
found = []


def _axe_source():
    global _source
    if _source is None:
        with open(AXE_JS, encoding="utf-8") as f:
            _source = f.read()
    return _source


def violations(driver):
    """axe's violations on the page as it is now (injected once per document)."""
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(_axe_source())
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(function (r) { done(JSON.stringify(r.violations)); })"
        ".catch(function (e) { done(JSON.stringify({error: String(e)})); });")
    parsed = json.loads(result)
    if isinstance(parsed, dict):
        raise RuntimeError(parsed["error"])
    return parsed


def audit(driver, check, what):
    """Audits the page: a check named `axe: what`, failing on any serious or critical
    violation, each printed with its rule and the elements it names."""
    global audited, seconds
    started = time.time()
    driver.set_script_timeout(30)
    try:
        found_here = violations(driver)
    except Exception as e:  # axe missing or broken: that is a failure, not a pass
        check(False, f"axe: {what} (axe did not run: {e})")
        return False
    seconds += time.time() - started
    audited += 1
    bad = [v for v in found_here if v.get("impact") in FAILING]
    for v in bad:
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            print(f"     axe {v['impact']}: {what} [{driver.current_url}] rule {v['id']}: {target}")
            found.append((what, v["id"], target))
    minor = sum(len(v["nodes"]) for v in found_here if v.get("impact") not in FAILING)
    check(not bad, f"axe: {what}" + (f" ({minor} minor or moderate)" if minor else ""))
    return not bad


def dark(driver, on=True):
    """The page as a browser set to dark mode shows it (prefers-color-scheme)."""
    value = "dark" if on else "light"
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": value}]})


def phone(driver, on=True):
    """A phone-sized viewport, 320 CSS pixels wide (WCAG 1.4.10 reflow)."""
    if on:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": PHONE_WIDTH, "height": 720, "deviceScaleFactor": 2, "mobile": True})
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def overflows(driver):
    """How many CSS pixels the page is wider than the viewport (0: nothing scrolls sideways)."""
    return driver.execute_script(
        "return Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth);")


def summary():
    return f"axe: {audited} pages and states audited in {seconds:.1f} s, {len(found)} serious or critical findings"
