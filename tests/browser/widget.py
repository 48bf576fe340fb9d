#!/usr/bin/env python3
"""The support widget in a real browser (headless Chromium), embedded by another origin.

Starts `staffel serve --demo` with one configured embedder, serves the example page
(examples/widget/index.html, pointed at this Staffel) from that origin on a second port and
from an origin that is not configured on a third. On the configured page the "Support" button
appears with the availability, opens the dialog on Staffel's origin in its own window (which
tells its opener it is open), where the reader searches the FAQ as they type, signs in once
and gets the report form; a page that hands over a signed assertion opens the dialog signed in
as the school admin, who sends a ticket that carries the page's context; the page of the
unconfigured origin gets no button. Ends with the plain 'N passed, N failed' line.

Usage: tests/browser/widget.py [path/to/staffel]   (default: target/debug/staffel)
"""
import base64
import functools
import hashlib
import hmac
import http.server
import json
import os
import secrets
import sys
import tempfile
import threading
import time

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from walk_portals import audit, check, free_port, new_driver, seen, wait_until, PASSWORD  # noqa: E402
import axe  # noqa: E402
import walk_portals  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "staffel")
SECRET = "beispiel-geheimnis-" + secrets.token_hex(16)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assertion(origin, email):
    """What the integration's server computes for its signed-in reader."""
    payload = b64(json.dumps({"origin": origin, "email": email, "exp": int(time.time()) + 120,
                              "nonce": secrets.token_hex(16)}).encode())
    signature = b64(hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory, port):
    handler = functools.partial(QuietHandler, directory=directory)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def pages(base, site, with_assertion):
    """The example page pointed at this Staffel, and a copy that hands over an assertion."""
    directory = tempfile.mkdtemp(prefix="staffel-embedder-")
    with open(os.path.join(ROOT, "examples", "widget", "index.html"), encoding="utf-8") as f:
        example = f.read().replace("http://127.0.0.1:8000", base)
    with open(os.path.join(directory, "index.html"), "w", encoding="utf-8") as f:
        f.write(example)
    if with_assertion:
        signed = example.replace('data-target="#support-slot"',
                                 f'data-target="#support-slot" data-assertion="{assertion(site, "admin@gym-mitte.demo")}"')
        with open(os.path.join(directory, "signed.html"), "w", encoding="utf-8") as f:
            f.write(signed)
    return directory


def support_button(driver):
    found = driver.find_elements(By.CSS_SELECTOR, "button.staffel-support")
    return found[0] if found else None


def open_dialog(driver, click):
    """Clicks, and switches to the dialog's window; the opener's handle."""
    opener = driver.current_window_handle
    before = set(driver.window_handles)
    click()
    wait_until(driver, lambda d: len(set(d.window_handles) - before) == 1)
    driver.switch_to.window((set(driver.window_handles) - before).pop())
    wait_until(driver, lambda d: d.find_elements(By.ID, "widget-faq"))
    return opener


def main():
    data = tempfile.mkdtemp(prefix="staffel-widget-")
    port, site_port, foreign_port = free_port(), free_port(), free_port()
    base, site, foreign = (f"http://127.0.0.1:{p}" for p in (port, site_port, foreign_port))
    embedder = serve(pages(base, site, True), site_port)
    stranger = serve(pages(base, foreign, False), foreign_port)
    server, started = walk_portals.start_demo(
        BINARY, port, data, STAFFEL_WIDGET_ORIGINS=site, STAFFEL_WIDGET_SECRETS=f"{site}={SECRET}")
    try:
        if not started:
            return
        driver = new_driver()
        try:
            walk(driver, base, site, foreign)
        finally:
            driver.quit()
    finally:
        embedder.shutdown()
        stranger.shutdown()
        walk_portals.stop(server)


def walk(driver, base, site, foreign):
    driver.get(site + "/")
    seen(driver, lambda d: support_button(d) and "Support" in support_button(d).text,
         "the configured page shows the Support button")
    button = support_button(driver)
    check(button.get_attribute("data-available") == "false" and "nicht besetzt" in (button.get_attribute("title") or ""),
          "the button says nobody is on chat (the demo desk is offline)")
    check(driver.find_element(By.ID, "support-slot").find_elements(By.CSS_SELECTOR, "button.staffel-support"),
          "the button sits where data-target says")
    opener = open_dialog(driver, lambda: support_button(driver).click())
    check(driver.current_url.startswith(base + "/widget?"), f"the dialog is on Staffel's origin ({driver.current_url})")
    context = driver.find_element(By.ID, "widget-context").text
    check("Physik 9b" in context and "Lernplattform" in context and site in context,
          "the dialog shows the page's context as it goes along")
    box = driver.find_element(By.ID, "q")
    box.send_keys("WLAN")
    seen(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#q-suggestions [role=option]"),
         "the FAQ suggests articles while typing")
    audit(driver, "widget dialog, suggestions open")
    axe.dark(driver)
    audit(driver, "dark: widget dialog, suggestions open")
    axe.dark(driver, False)
    driver.switch_to.window(opener)
    seen(driver, lambda d: support_button(d).get_attribute("aria-expanded") == "true",
         "the dialog told its opener it is open (postMessage to the configured origin)")
    driver.switch_to.window([h for h in driver.window_handles if h != opener][0])
    driver.find_element(By.ID, "widget-sign-in").click()
    driver.find_element(By.ID, "f-email").send_keys("lehrer@gym-mitte.demo")
    driver.find_element(By.ID, "f-password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    seen(driver, lambda d: d.find_elements(By.ID, "widget-report"), "signed in once, the teacher gets the report form")
    check(not driver.find_elements(By.ID, "widget-ticket"), "a teacher gets no ticket form")
    check("Physik 9b" in driver.find_element(By.ID, "widget-context").text, "the context survives the sign-in")
    audit(driver, "widget dialog, the teacher's report form")
    driver.save_screenshot(os.path.join(ROOT, "target", "screenshots", "widget-teacher.png"))
    driver.close()
    driver.switch_to.window(opener)

    # A fresh browser session: the assertion alone says who reads.
    driver.delete_all_cookies()
    driver.get(base + "/healthz")
    driver.delete_all_cookies()
    driver.get(site + "/signed.html")
    seen(driver, lambda d: support_button(d), "the signed page shows the button")
    opener = open_dialog(driver, lambda: driver.find_element(By.ID, "course-help").click())
    seen(driver, lambda d: d.find_elements(By.ID, "widget-ticket"),
         "the assertion signs the school admin in: the ticket form, phone and hours")
    check("Abgaben" in driver.find_element(By.ID, "widget-context").text, "Staffel.open passes its context")
    check(driver.find_elements(By.ID, "widget-desk") and not driver.find_elements(By.ID, "widget-chat"),
          "nobody on chat: the phone and the form, no dead chat window")
    audit(driver, "widget dialog, the school admin's ticket form")
    driver.find_element(By.ID, "t-title").send_keys("Abgaben im Kurs laden nicht")
    driver.find_element(By.ID, "t-description").send_keys("Seit der dritten Stunde.")
    driver.find_element(By.CSS_SELECTOR, "form[action='/widget/tickets'] button[type=submit]").click()
    seen(driver, lambda d: "/helpdesk/tickets/T-" in d.current_url, "the ticket is sent and shown to the school admin")
    body = driver.find_element(By.TAG_NAME, "body").text
    check("bereich: Abgaben" in body and "kurs: Physik 9b" in body, "the ticket carries the page's context as text")
    driver.close()
    driver.switch_to.window(opener)

    driver.get(foreign + "/")
    time.sleep(3)
    check(support_button(driver) is None, "a page of an origin that is not configured gets no button")

    print(axe.summary())
    print(f"widget: {walk_portals.passed} passed, {walk_portals.failed} failed")


if __name__ == "__main__":
    os.makedirs(os.path.join(ROOT, "target", "screenshots"), exist_ok=True)
    main()
    sys.exit(1 if walk_portals.failed else 0)
