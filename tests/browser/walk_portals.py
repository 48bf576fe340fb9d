#!/usr/bin/env python3
"""Opens every portal in a real browser (headless Chromium) as each demo role.

Starts `staffel serve --demo` on a free port with a fresh data dir, signs in through the login
form as each demo user, checks the role's start page and every page its navigation offers
(status, no error page, German and English), follows the FAQ search with and without
JavaScript suggestions, walks a teacher's report with a file to the school admin, who answers
with a file of their own on the solve path, walks a report up the escalation path into a
ticket linked both ways and finds it in the school's list, walks a ticket to a provider with the
desk's answer carrying a file (opened through the link in the provider's mail), works the desk
by keyboard (cheat sheet, j/Enter, r, canned responses; desk_keys.py), and saves screenshots to
target/screenshots/. Ends with the plain 'N passed, N failed' line.

Usage: tests/browser/walk_portals.py [path/to/staffel]   (default: target/debug/staffel)
"""
import base64
import email
import email.policy
import glob
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import a11y_states  # noqa: E402
import desk_keys  # noqa: E402
import axe  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "staffel")
SHOTS = os.path.join(ROOT, "target", "screenshots")
PASSWORD = "staffel-demo"

ROLES = [
    ("schueler@gym-mitte.demo", "pupil", "/faq", ["/faq"]),
    ("lehrer@gym-mitte.demo", "teacher", "/faq", ["/faq", "/reports", "/account"]),
    ("admin@gym-mitte.demo", "school_admin", "/helpdesk", ["/helpdesk", "/helpdesk/all", "/faq", "/kb/new", "/account"]),
    ("agent1@desk.demo", "agent", "/desk", ["/desk", "/faq", "/desk/kb/misses", "/kb/new"]),
    ("lead@desk.demo", "desk_lead", "/desk", ["/desk", "/desk/settings", "/desk/kb/misses"]),
    ("operator@staffel.demo", "operator", "/admin", ["/admin", "/admin/schools", "/admin/users", "/admin/services", "/admin/providers", "/admin/providers/new", "/admin/users/new", "/admin/views"]),
]

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}")


def audit(driver, what):
    """axe-core on the page as it is now: serious or critical violations fail the walk."""
    return axe.audit(driver, check, what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_of(url):
    try:
        return urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as e:
        return e.code
    except Exception:
        return None


def start_demo(binary, port, data, **extra_env):
    """`staffel serve --demo` on a data dir of its own (SQLite), waited for until `/healthz`
    answers: the process, and whether it came up (checked and reported as "server starts")."""
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, STAFFEL_DATA_DIR=data, ROCKET_PORT=str(port), ROCKET_ADDRESS="127.0.0.1",
               ROCKET_LOG_LEVEL="off", RUST_LOG="warn", STAFFEL_BASE_URL=base, **extra_env)
    env.pop("STAFFEL_DATABASE_URL", None)
    server = subprocess.Popen([binary, "serve", "--demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while status_of(base + "/healthz") != 200:
        if time.time() > deadline or server.poll() is not None:
            check(False, "server starts")
            return server, False
        time.sleep(0.3)
    check(True, "server starts")
    return server, True


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def main():
    os.makedirs(SHOTS, exist_ok=True)
    data = tempfile.mkdtemp(prefix="staffel-browser-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server, started = start_demo(BINARY, port, data)
    try:
        if not started:
            return
        driver = new_driver()
        try:
            escalated = walk(driver, base)
            walk_desk_answer_with_files(driver, base, data)
            a11y_states.walk(driver, base, sign_in, audit, check, escalated)
            desk_keys.walk(driver, base, sign_in, audit, check)
            # The chat needs two people at once: a second browser for the agent.
            agent = new_driver()
            try:
                walk_chat(driver, agent, base)
                walk_live_queue(driver, agent, base)
            finally:
                agent.quit()
        finally:
            driver.quit()
    finally:
        stop(server)


def new_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,900", f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}",
                 "--lang=de-DE"]:
        options.add_argument(flag)
    # German first, as a German school's browser sends it.
    options.add_experimental_option("prefs", {"intl.accept_languages": "de-DE,de"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def seen(driver, condition, what, timeout=20):
    """Checks that `condition` comes true within `timeout` seconds (without a reload)."""
    try:
        wait_until(driver, condition, timeout)
        check(True, what)
        return True
    except Exception:
        check(False, what)
        return False


def walk_chat(admin, agent, base):
    """Two browsers: the school admin's tile offers chat only once an agent is on the desk
    (live, no reload); the request reaches the agent's header badge and list live; the
    conversation runs both ways over the socket; ending it reaches the other side."""
    sign_in(admin, base, "admin@gym-mitte.demo")
    admin.get(base + "/helpdesk")
    start = lambda d: d.find_element(By.ID, "chat-start")
    # The desk pages walked before said goodbye when they were left (or their heartbeats
    # stopped: nobody counts as there for longer than the heartbeat timeout, 60 s).
    seen(admin, lambda d: not start(d).is_displayed(), "nobody on the desk: the tile offers no chat", 75)
    check("Zum Ticket-Formular" in admin.page_source, "the tile points to the ticket form instead")

    sign_in(agent, base, "agent1@desk.demo")
    agent.get(base + "/desk/chat")
    seen(admin, lambda d: start(d).is_displayed(), "an agent comes online: the tile offers chat without a reload")
    admin.find_element(By.ID, "chat-message").send_keys("Der Beamer in Raum 104 zeigt kein Bild.")
    admin.save_screenshot(os.path.join(SHOTS, "tile-chat-available.png"))
    start(admin).find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(admin, lambda d: re.search(r"/helpdesk/chats/\d+", d.current_url))
    chat = re.search(r"/helpdesk/chats/(\d+)", admin.current_url).group(1)
    check("Platz 1" in admin.page_source, "the school admin sees their place in line")
    audit(admin, "school admin's chat page, waiting")

    badge = lambda d: d.find_element(By.ID, "chat-badge")
    seen(agent, lambda d: badge(d).is_displayed() and badge(d).text.strip() == "1", "the request lights the agent's badge live")
    seen(agent, lambda d: d.find_elements(By.CSS_SELECTOR, f"#chat-requests a[href='/desk/chats/{chat}']"),
         "the request appears in the agent's list live")
    agent.get(f"{base}/desk/chats/{chat}")
    agent.find_element(By.CSS_SELECTOR, f"form[action='/desk/chats/{chat}/accept'] button").click()
    wait_until(agent, lambda d: d.find_elements(By.ID, "chat-body"))
    seen(admin, lambda d: "ist dem Chat beigetreten" in d.find_element(By.ID, "chat-lines").text,
         "the school admin sees the agent join without a reload")

    seen(agent, lambda d: d.execute_script("return document.getElementById('chat-state').textContent").strip() != "", "the agent's page is connected", 5)
    seen(agent, lambda d: d.find_element(By.ID, "presence-switch").is_displayed()
         and d.find_element(By.ID, "presence-switch").get_attribute("value") == "online",
         "the agent's header shows their presence switch, online", 10)
    box = agent.find_element(By.ID, "chat-body")
    desk_keys.canned_inserts(agent, box, check, audit, "the desk's chat box")
    box.send_keys("Anleitung: https://example.org/hdmi-hilfe. Ist das HDMI-Kabel fest eingesteckt?")
    box.send_keys(Keys.ENTER)
    seen(admin, lambda d: "HDMI-Kabel fest eingesteckt" in d.find_element(By.ID, "chat-lines").text,
         "the agent's message arrives live")
    check(admin.find_elements(By.CSS_SELECTOR, "#chat-lines a[href='https://example.org/hdmi-hilfe']"),
          "a link in a message is clickable (without the full stop after it)")
    reply = admin.find_element(By.ID, "chat-body")
    reply.send_keys("Ja, und neu gestartet habe ich ihn auch.")
    reply.send_keys(Keys.ENTER)
    seen(agent, lambda d: "neu gestartet" in d.find_element(By.ID, "chat-lines").text, "the school admin's answer arrives live")
    admin.save_screenshot(os.path.join(SHOTS, "chat-school.png"))
    agent.save_screenshot(os.path.join(SHOTS, "chat-desk.png"))
    audit(admin, "school admin's chat page, talking")
    audit(agent, "agent's chat page, talking")
    lines = admin.find_elements(By.CSS_SELECTOR, "#chat-lines li")
    check(len([l for l in lines if "neu gestartet" in l.text]) == 1, "a line sent once is shown once")
    typed = admin.find_element(By.ID, "chat-body")
    typed.send_keys("noch nicht gesendet")
    admin.find_element(By.ID, "chat-file").send_keys(png_file("fehlerbild.png"))
    admin.find_element(By.CSS_SELECTOR, "#chat-files button[type=submit]").click()
    seen(agent, lambda d: d.find_elements(By.CSS_SELECTOR, f"#chat-lines a[href^='/api/v1/chats/{chat}/attachments/']"),
         "a file sent from the chat page reaches the agent live, as a link")
    check(admin.find_element(By.ID, "chat-body").get_attribute("value") == "noch nicht gesendet",
          "sending a file keeps what the school admin was typing (no reload)")
    check(agent.find_elements(By.CSS_SELECTOR, f".chat-tabs a[href='/desk/chats/{chat}'][aria-current='page']"),
          "the agent's open chat is a tab, marked as the one shown")
    admin.find_element(By.ID, "chat-body").clear()

    admin.find_element(By.CSS_SELECTOR, f"form[action='/helpdesk/chats/{chat}/close'] button").click()
    wait_until(admin, lambda d: "Dieser Chat ist beendet" in d.page_source)
    seen(agent, lambda d: "hat den Chat beendet" in d.find_element(By.ID, "chat-lines").text,
         "the end reaches the agent live")
    check(agent.find_element(By.ID, "chat-body").get_attribute("disabled") is not None, "the agent can no longer write")
    audit(agent, "agent's chat page, ended")
    admin.get(base + "/helpdesk")
    seen(admin, lambda d: start(d).is_displayed(), "the agent is still there: the tile offers chat")
    Select(agent.find_element(By.ID, "presence-switch")).select_by_value("dnd")
    seen(admin, lambda d: not start(d).is_displayed(), "the agent picks 'do not disturb' in the header: the tile stops offering chat live")
    Select(agent.find_element(By.ID, "presence-switch")).select_by_value("online")
    seen(admin, lambda d: start(d).is_displayed(), "back online in the header: the tile offers chat again live")
    agent.get(base + "/healthz")
    seen(admin, lambda d: not start(d).is_displayed(), "the agent leaves the desk: the tile stops offering chat live")


def walk_live_queue(admin, agent, base):
    """The agent's queue is open with a ticket chosen by keyboard (j); the school admin opens a
    ticket in another browser: the new row appears in place (no reload), the live region
    announces it, and the focus and the chosen ticket stay where they were."""
    sign_in(agent, base, "agent1@desk.demo")
    agent.get(base + "/desk?queue=all")
    agent.execute_script("window.__stillTheSamePage = true;")
    first = agent.find_element(By.CSS_SELECTOR, "#queue-results tbody tr td a")
    focused = first.get_attribute("href")
    # Chosen by keyboard (static/shortcuts.js): its row marked, its link focused.
    desk_keys.press(agent, "j")
    chosen = agent.execute_script("return document.querySelector('#queue-results tr.kbd-selected td.number').textContent.trim();")
    sign_in(admin, base, "admin@gym-mitte.demo")
    admin.get(base + "/helpdesk")
    admin.find_element(By.ID, "f-title").send_keys("Whiteboard im Raum 12 bleibt dunkel")
    admin.find_element(By.ID, "f-description").send_keys("Seit der ersten Stunde.")
    admin.find_element(By.CSS_SELECTOR, "form[action='/helpdesk/tickets'] button[type=submit]").click()
    wait_until(admin, lambda d: re.search(r"/helpdesk/tickets/T-\d+$", d.current_url))
    number = admin.current_url.rsplit("/", 1)[1]
    seen(agent, lambda d: d.find_elements(By.CSS_SELECTOR, f"#queue-results a[href='/desk/tickets/{number}']"),
         "a ticket opened elsewhere appears in the agent's queue live")
    check(agent.execute_script("return window.__stillTheSamePage === true;"), "the queue updated in place, without a reload")
    check(agent.find_element(By.ID, "live").text == "1 neues Ticket", "the live region announces one new ticket")
    check(agent.execute_script("return document.activeElement && document.activeElement.href;") == focused,
          "the focus stayed on the ticket it was on")
    check(agent.execute_script("var r = document.querySelector('#queue-results tr.kbd-selected');"
                               " return r && r.querySelector('td.number').textContent.trim();") == chosen,
          "the ticket chosen with j stays chosen through the update, by its number")
    box = lambda d, n: d.find_element(By.CSS_SELECTOR, f"#queue-results input[name=tickets][value='{n}']")
    box(agent, number).click()
    admin.get(base + "/helpdesk")
    admin.find_element(By.ID, "f-title").send_keys("Dokumentenkamera im Raum 7 ohne Bild")
    admin.find_element(By.ID, "f-description").send_keys("Seit Montag.")
    admin.find_element(By.CSS_SELECTOR, "form[action='/helpdesk/tickets'] button[type=submit]").click()
    wait_until(admin, lambda d: re.search(r"/helpdesk/tickets/T-\d+$", d.current_url) and number not in d.current_url)
    second = admin.current_url.rsplit("/", 1)[1]
    seen(agent, lambda d: d.find_elements(By.CSS_SELECTOR, f"#queue-results a[href='/desk/tickets/{second}']"),
         "the next ticket appears while one is ticked")
    check(box(agent, number).is_selected() and not box(agent, second).is_selected(), "the ticked box stays ticked through the update")
    agent.save_screenshot(os.path.join(SHOTS, "desk-queue-live.png"))
    audit(agent, "desk queue, updated live with a ticket ticked")
    Select(agent.find_element(By.ID, "bulk-action")).select_by_value("assign")
    agent.find_element(By.CSS_SELECTOR, "form#bulk button[type=submit]").click()
    seen(agent, lambda d: "1 von 1 Tickets geändert." in d.find_element(By.CSS_SELECTOR, ".flash").text,
         "a bulk action on the ticked ticket says what it changed")


def wait_until(driver, condition, timeout=10):
    """Waits for `condition(driver)`. A page that a click is replacing can hand back elements that
    vanish before they are read; those reads are retried rather than crashing the walk."""
    WebDriverWait(driver, timeout, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(
        condition)


def page_lang(driver):
    return driver.execute_script("return document.documentElement.lang")


def page_ok(driver, path):
    title = driver.title
    body = driver.find_element(By.TAG_NAME, "body").text
    return not driver.find_elements(By.CSS_SELECTOR, ".error-page") and len(body) > 50


# A 1x1 PNG: uploads are checked by their content, so the file must really be one.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def sign_in(driver, base, email):
    # Leaving the page first lets a desk page say goodbye (presence) while still signed in.
    driver.get(base + "/healthz")
    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.ID, "f-email").send_keys(email)
    driver.find_element(By.ID, "f-password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    wait_until(driver, lambda d: "/login" not in d.current_url)


def png_file(name):
    path = os.path.join(tempfile.mkdtemp(prefix="staffel-upload-"), name)
    with open(path, "wb") as f:
        f.write(PNG)
    return path


def walk_report_with_files(driver, base):
    """The teacher reports with a screenshot; the admin answers through the triage form with a
    file; the teacher sees the answer and both files. The upload fields are real file inputs."""
    sign_in(driver, base, "lehrer@gym-mitte.demo")
    driver.get(base + "/reports")
    driver.find_element(By.ID, "f-affected").send_keys("Beamer im Raum 104")
    driver.find_element(By.ID, "f-since").send_keys("heute früh")
    driver.find_element(By.ID, "f-how_many").send_keys("die Klasse 7b")
    driver.find_element(By.ID, "f-description").send_keys("Seit heute früh kein Bild.")
    driver.find_element(By.CSS_SELECTOR, "form[action='/reports'] input[type=file][name=files]").send_keys(
        png_file("beamer-foto.png"))
    driver.find_element(By.CSS_SELECTOR, "form[action='/reports'] button[type=submit]").click()
    wait_until(driver, lambda d: re.search(r"/reports/\d+$", d.current_url))
    report = re.search(r"/reports/(\d+)$", driver.current_url).group(1)
    check("beamer-foto.png" in driver.page_source, "the teacher's report carries the screenshot")

    sign_in(driver, base, "admin@gym-mitte.demo")
    driver.get(f"{base}/helpdesk/reports/{report}")
    check("beamer-foto.png" in driver.page_source, "the school admin sees the teacher's file")
    audit(driver, "school admin's report page with both paths")
    form = f"form[action='/helpdesk/reports/{report}/answer']"
    check(Select(driver.find_element(By.ID, "f-solve-service")).first_selected_option.get_attribute("value") == "presentation",
          "the solve path suggests the service from the report's words")
    driver.find_element(By.CSS_SELECTOR, f"{form} input[type=file][name=files]").send_keys(png_file("anleitung.png"))
    driver.find_element(By.ID, "f-answer").send_keys("Bitte das HDMI-Kabel neu stecken, siehe Bild.")
    driver.find_element(By.CSS_SELECTOR, f"{form} button.primary").click()
    wait_until(driver, lambda d: d.current_url.endswith(f"/helpdesk/reports/{report}") and "anleitung.png" in d.page_source)
    check(page_ok(driver, driver.current_url), "the school admin answers with a file")
    driver.save_screenshot(os.path.join(SHOTS, "report-answered.png"))

    sign_in(driver, base, "lehrer@gym-mitte.demo")
    driver.get(f"{base}/reports/{report}")
    source = driver.page_source
    check("HDMI-Kabel" in source and "anleitung.png" in source, "the teacher reads the answer with its file")
    audit(driver, "teacher's answered report")


def provider_link_mailed(data, mentioning, timeout=30):
    """The provider link in the newest delivered mail (the file transport's outbox) that
    mentions `mentioning`; the server's mail worker writes it within a second or two."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for path in sorted(glob.glob(os.path.join(data, "outbox", "*.eml")), reverse=True):
            with open(path, "rb") as f:
                message = email.message_from_bytes(f.read(), policy=email.policy.default)
            text = message.get_body(preferencelist=("plain",)).get_content()
            found = re.search(r"(/provider/[0-9a-f]{64})", text)
            if mentioning in text and found:
                return found.group(1)
        time.sleep(0.5)
    return None


def walk_desk_answer_with_files(driver, base, data):
    """The school admin opens a ticket with a file; the agent takes it, forwards it with that
    file, and answers the provider with a file of the desk's own; the provider opens the link
    from its mail and finds both files, neither marked internal."""
    sign_in(driver, base, "admin@gym-mitte.demo")
    driver.get(base + "/helpdesk")
    form = "form[action='/helpdesk/tickets']"
    driver.find_element(By.ID, "f-title").send_keys("Drucker im Lehrerzimmer druckt nicht")
    driver.find_element(By.ID, "f-description").send_keys("Papierstau gemeldet, aber kein Papier drin.")
    driver.find_element(By.CSS_SELECTOR, f"{form} input[type=file][name=files]").send_keys(png_file("display.png"))
    driver.find_element(By.CSS_SELECTOR, f"{form} button[type=submit]").click()
    wait_until(driver, lambda d: re.search(r"/helpdesk/tickets/T-\d+$", d.current_url))
    number = driver.current_url.rsplit("/", 1)[1]
    check("display.png" in driver.page_source, "the school admin opens a ticket with a file")

    sign_in(driver, base, "agent1@desk.demo")
    page = f"{base}/desk/tickets/{number}"
    driver.get(page)
    driver.find_element(By.CSS_SELECTOR, f"form[action='/desk/tickets/{number}/assign'] button").click()
    wait_until(driver, lambda d: d.current_url == page)
    forward = f"form[action='/desk/tickets/{number}/forward']"
    # Forwarding is folded below the reply box.
    driver.find_element(By.CSS_SELECTOR, "#forwarding summary").click()
    driver.find_element(By.ID, "f-message").send_keys("Bitte den Drucker prüfen.")
    driver.find_element(By.CSS_SELECTOR, f"{forward} input[name=shared_attachments]").click()
    driver.find_element(By.CSS_SELECTOR, f"{forward} button.primary").click()
    # The reply box offers "answer the provider" once a forward is active.
    wait_until(driver, lambda d: d.find_elements(By.ID, "mode-provider"))
    check(True, "the agent forwards the ticket with the school's file")
    driver.find_element(By.CSS_SELECTOR, "label[for=mode-provider]").click()
    driver.find_element(By.ID, "f-body").send_keys("Hier das Fehlerprotokoll.")
    driver.find_element(By.CSS_SELECTOR, "#reply-box input[type=file][name=files]").send_keys(png_file("protokoll.png"))
    driver.find_element(By.ID, "box-send").click()
    wait_until(driver, lambda d: "protokoll.png" in d.page_source)
    check(page_ok(driver, page), "the agent answers the provider with a file")
    audit(driver, "desk ticket page at a provider")
    driver.save_screenshot(os.path.join(SHOTS, "desk-provider-reply.png"))

    link = provider_link_mailed(data, "protokoll.png")
    check(link is not None, "the provider's mail names the desk's file and carries the link")
    if link is None:
        return
    driver.delete_all_cookies()
    driver.get(base + link)
    source = driver.page_source
    check("display.png" in source and "protokoll.png" in source, "the provider's page lists both files")
    files = source.split('class="attachments"', 1)[-1].split("</ul>", 1)[0]
    check('class="badge"' not in files, "the provider sees no 'internal' badge on them")
    driver.save_screenshot(os.path.join(SHOTS, "provider-page.png"))
    audit(driver, "provider page")
    sign_in(driver, base, "admin@gym-mitte.demo")
    driver.get(f"{base}/helpdesk/tickets/{number}")
    check("protokoll.png" not in driver.page_source, "the school does not see the desk's file for the provider")


def walk(driver, base):
    # Anonymous: the FAQ is open, search works without JavaScript suggestions too.
    driver.get(base + "/")
    check(driver.current_url.endswith("/faq"), "anonymous lands on the FAQ")
    box = driver.find_element(By.ID, "q")
    box.send_keys("Passwort vergessen")
    # The list is rebuilt as answers arrive; wait until it is open and settled.
    wait_until(driver, lambda d: d.find_element(By.ID, "q").get_attribute("aria-expanded") == "true")
    time.sleep(0.5)
    count = driver.execute_script("return document.querySelectorAll('#q-suggestions li').length")
    check(count > 0, "search-as-you-type shows suggestions")
    audit(driver, "FAQ with suggestions open")
    box.send_keys(Keys.ARROW_DOWN)
    selected = driver.execute_script("return document.querySelectorAll('#q-suggestions li[aria-selected=true]').length")
    check(selected == 1, "suggestions are keyboard-navigable")
    audit(driver, "FAQ with a suggestion selected")
    a11y_states.search_keys(driver, box, check)
    box.send_keys(Keys.ENTER)
    wait_until(driver, lambda d: "/kb/" in d.current_url)
    check("/kb/" in driver.current_url and page_ok(driver, driver.current_url), "Enter opens the chosen article")
    audit(driver, "article")
    driver.save_screenshot(os.path.join(SHOTS, "article.png"))
    driver.get(base + "/faq?q=Beamer+kein+Bild")
    check("Treffer" in driver.page_source, "the plain search form shows results")
    audit(driver, "FAQ search results")
    driver.get(base + "/faq?q=xyzzy")
    check("Frag deine Lehrerin" in driver.page_source, "no result shows the pupil's next step")
    audit(driver, "FAQ search without results")
    driver.get(base + "/login")
    audit(driver, "login page")

    for email, role, start, pages in ROLES:
        sign_in(driver, base, email)
        check(driver.current_url == base + start, f"{role} lands on {start}")
        driver.save_screenshot(os.path.join(SHOTS, f"{role}-start.png"))
        for path in pages:
            driver.get(base + path)
            check(page_ok(driver, path), f"{role} opens {path}")
            audit(driver, f"{role} {path}")
        # Keyboard: the first Tab reaches the skip link.
        driver.get(base + start)
        wait_until(driver, lambda d: d.execute_script("return document.readyState") == "complete")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        active_class = driver.execute_script("return document.activeElement && document.activeElement.className")
        check(active_class == "skip", f"{role}: the first Tab reaches the skip link")
        # English on request.
        driver.find_element(By.CSS_SELECTOR, "form.lang-switch button").click()
        wait_until(driver, lambda d: page_lang(d) == "en")
        check("Sign out" in driver.page_source, f"{role} switches to English")
        audit(driver, f"{role} {start} in English")
        driver.find_element(By.CSS_SELECTOR, "form.lang-switch button").click()
        wait_until(driver, lambda d: page_lang(d) == "de")
        if role == "school_admin":
            driver.get(base + "/helpdesk")
            driver.save_screenshot(os.path.join(ROOT, "docs", "helpdesk.png") if os.environ.get("STAFFEL_README_SHOT") else os.path.join(SHOTS, "helpdesk.png"))
        # A page of another role is refused.
        other = "/admin" if role != "operator" else "/desk"
        driver.get(base + other)
        check("Berechtigung" in driver.page_source, f"{role} is refused {other}")
        if role in ("pupil", "operator"):
            audit(driver, f"{role}: the refusal page (403)")
        driver.get(base + start)
        driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
        wait_until(driver, lambda d: "/login" in d.current_url)
        check("abgemeldet" in driver.page_source, f"{role} signs out")

    walk_report_with_files(driver, base)
    return walk_report_escalated(driver, base)


def walk_report_escalated(driver, base):
    """The teacher reports a Wi-Fi outage; the school admin takes the escalation path: the
    service is preselected, leaving out the first-level questions is refused with what was
    typed kept, answering them opens a ticket that links back to the report (and the report
    to it); the school's list finds it under "Beim Service-Desk" and by its title. Returns the
    ticket's number (the demo's desk has tickets of its own, so it is not T-000001)."""
    sign_in(driver, base, "lehrer@gym-mitte.demo")
    driver.get(base + "/reports")
    driver.find_element(By.ID, "f-affected").send_keys("WLAN im Neubau")
    driver.find_element(By.ID, "f-since").send_keys("seit Montag")
    driver.find_element(By.ID, "f-how_many").send_keys("alle Räume im Neubau")
    driver.find_element(By.ID, "f-description").send_keys("Kein Netz in den Räumen 201 bis 212.")
    driver.find_element(By.CSS_SELECTOR, "form[action='/reports'] button[type=submit]").click()
    wait_until(driver, lambda d: re.search(r"/reports/\d+$", d.current_url))
    report = re.search(r"/reports/(\d+)$", driver.current_url).group(1)

    sign_in(driver, base, "admin@gym-mitte.demo")
    driver.get(f"{base}/helpdesk/reports/{report}")
    driver.save_screenshot(os.path.join(SHOTS, "report-paths.png"))
    check(page_ok(driver, driver.current_url), "the report page shows both paths")
    form = f"form[action='/helpdesk/reports/{report}/escalate']"
    check(Select(driver.find_element(By.ID, "f-esc-service")).first_selected_option.get_attribute("value") == "wifi",
          "the escalation suggests the service from the report's words")
    title = driver.find_element(By.ID, "f-title")
    title.clear()
    title.send_keys("WLAN Neubau ausgefallen")
    driver.find_element(By.CSS_SELECTOR, f"{form} button.primary").click()
    wait_until(driver, lambda d: "Bitte wählen Sie, wie weit das Problem reicht" in d.page_source)
    check(driver.find_element(By.ID, "f-title").get_attribute("value") == "WLAN Neubau ausgefallen",
          "escalating without the first-level questions is refused, the typed title kept")
    audit(driver, "escalation refused: the form with its errors")
    driver.find_element(By.CSS_SELECTOR, f"{form} input[name=triage_scope][value=school]").click()
    driver.find_element(By.CSS_SELECTOR, f"{form} input[name=triage_fault_type][value=unknown]").click()
    driver.find_element(By.CSS_SELECTOR, f"{form} button.primary").click()
    wait_until(driver, lambda d: re.search(r"/helpdesk/tickets/T-\d+$", d.current_url))
    number = driver.current_url.rsplit("/", 1)[1]
    source = driver.page_source
    check("alle Räume im Neubau" in source and "Was ist betroffen?:" not in source,
          "the ticket shows the report's fields as fields, not pasted into its description")
    driver.save_screenshot(os.path.join(SHOTS, "ticket-from-report.png"))
    audit(driver, "school's ticket made from a report")
    driver.find_element(By.ID, "origin-link").click()
    wait_until(driver, lambda d: d.current_url.endswith(f"/helpdesk/reports/{report}"))
    check(driver.find_elements(By.CSS_SELECTOR, f"a[href='/helpdesk/tickets/{number}']") != [],
          "the ticket links to its report and the report back to the ticket")

    driver.get(base + "/helpdesk/all?state=desk")
    check(number in driver.page_source and page_ok(driver, driver.current_url), "the school's list shows it at the desk")
    search = driver.find_element(By.ID, "f-q")
    search.send_keys("neubau")
    search.send_keys(Keys.ENTER)
    wait_until(driver, lambda d: "q=neubau" in d.current_url)
    check(number in driver.page_source, "the school's list finds it by a word of its title")
    audit(driver, "school's list, searched")
    driver.save_screenshot(os.path.join(SHOTS, "helpdesk-all.png"))
    driver.get(base + "/helpdesk")
    check(driver.find_element(By.ID, "count-new-reports").text.isdigit(), "the tile counts new reports")
    return number


if __name__ == "__main__":
    began = time.time()
    try:
        main()
    except Exception as e:  # a crash is a failure, reported in the closing line
        failed += 1
        print(f"FAIL browser walk crashed: {e!r}")
    print(axe.summary())
    print(f"walk took {time.time() - began:.0f} s")
    print(f"browser: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
