"""Working fast at the desk: the keyboard shortcuts' cheat sheet (`?`, Escape, focus back),
`j` and Enter opening a ticket from the queue, `r` on the ticket page, a canned response
inserted by `::trigger` and Tab (with the ticket's placeholders filled), and the canned
responses' list page (a delete asks inline first). Each state is audited by
axe (see axe.py)."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

# A canned response of the demo data (src/demo.rs) and a phrase of its text.
TRIGGER = "drucker-neu"
PHRASE = "Drucker hinzufügen"


def _until(driver, condition, timeout=10):
    WebDriverWait(driver, timeout).until(condition)


def _active(driver, script):
    return driver.execute_script("var a = document.activeElement; return " + script + ";")


def press(driver, *keys):
    """Keys sent to the page itself (the body has the focus), as a person does who is not
    typing in a field."""
    body = driver.find_element(By.TAG_NAME, "body")
    for key in keys:
        body.send_keys(key)


def canned_inserts(driver, box, check, audit, what):
    """`::` and the start of a trigger opens the listbox (audited); Tab puts the text in the
    box in place of `::trigger`; Escape closes a list without inserting."""
    box.clear()
    box.send_keys("Hallo, ::druck")
    try:
        _until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".canned-suggestions [role=option]"))
        opened = True
    except Exception:
        opened = False
    check(opened and box.get_attribute("aria-activedescendant"), f"{what}: ::druck offers the canned responses")
    if opened:
        audit(driver, f"{what} with the canned responses' list open")
    box.send_keys(Keys.TAB)
    value = box.get_attribute("value")
    check(value.startswith("Hallo, Guten Tag") and PHRASE in value and "::" not in value,
          f"{what}: Tab replaces ::trigger with the canned text")
    check(driver.execute_script("return document.activeElement === arguments[0]", box), f"{what}: the focus stays in the box")
    box.send_keys(" ::rueck")
    try:
        _until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".canned-suggestions"))
    except Exception:
        pass
    box.send_keys(Keys.ESCAPE)
    check(not driver.find_elements(By.CSS_SELECTOR, ".canned-suggestions") and box.get_attribute("value").endswith("::rueck"),
          f"{what}: Escape closes the list and inserts nothing")
    box.clear()


# A canned response the walk makes (with placeholders) and deletes again.
PLACED = "platzhalter"


def _delete_button(driver, trigger):
    """The delete form of the canned response with this trigger, and its button."""
    item = driver.find_element(By.XPATH, f"//li[contains(@class,'card')][.//code[text()='::{trigger}']]")
    form = item.find_element(By.CSS_SELECTOR, "form.canned-delete")
    return form, form.find_element(By.CSS_SELECTOR, "button[type=submit]")


def canned_delete_asks(driver, check, audit):
    """The lead makes a canned response with placeholders; its delete asks inline first, and
    "cancel" keeps it."""
    driver.find_element(By.ID, "f-trigger").send_keys(PLACED)
    driver.find_element(By.ID, "f-title").send_keys("Platzhalter")
    driver.find_element(By.ID, "f-body").send_keys("Zu {ticket} ({titel}): {agent}, {unbekannt}")
    driver.find_element(By.CSS_SELECTOR, "form[action='/desk/canned'] button[type=submit]").click()
    _until(driver, lambda d: f"::{PLACED}" in d.page_source)
    form, delete = _delete_button(driver, PLACED)
    delete.click()
    panel = form.find_element(By.CSS_SELECTOR, ".inline-confirm")
    check(panel.is_displayed() and _active(driver, "a && a.hasAttribute('data-yes')"),
          "a canned response's delete asks inline, the focus on yes")
    audit(driver, "desk lead: canned responses, the delete asking")
    panel.find_element(By.CSS_SELECTOR, "[data-no]").click()
    check(not panel.is_displayed() and _active(driver, "a && a.type") == "submit" and f"::{PLACED}" in driver.page_source,
          "cancel closes the question, keeps the text and puts the focus back")


def canned_placeholders_filled(driver, box, check, number):
    """The reply box inserts the walk's text with the ticket's placeholders filled."""
    box.clear()
    box.send_keys(f"::{PLACED}")
    try:
        _until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".canned-suggestions [role=option]"))
    except Exception:
        pass
    box.send_keys(Keys.TAB)
    value = box.get_attribute("value")
    check(value.startswith(f"Zu {number} (") and "{titel}" not in value and "{agent}" not in value
          and value.endswith(", {unbekannt}"),
          f"the reply box fills the placeholders for {number}, unknown ones stay ({value!r})")
    box.clear()


def canned_deleted_on_yes(driver, base, check):
    driver.get(base + "/desk/canned")
    form, delete = _delete_button(driver, PLACED)
    delete.click()
    form.find_element(By.CSS_SELECTOR, "[data-yes]").click()
    _until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))
    check(f"::{PLACED}" not in driver.page_source, "yes deletes the canned response")


def walk(driver, base, sign_in, audit, check):
    sign_in(driver, base, "lead@desk.demo")
    driver.get(base + "/desk/canned")
    check(TRIGGER in driver.page_source and driver.find_elements(By.CSS_SELECTOR, "form[action='/desk/canned']"),
          "the desk lead sees the canned responses with the form for a new one")
    audit(driver, "desk lead: canned responses")
    canned_delete_asks(driver, check, audit)

    driver.get(base + "/desk?queue=all")
    _until(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    opener = driver.find_element(By.ID, "shortcuts-open")
    check(opener.is_displayed(), "the footer offers the keyboard shortcuts")
    press(driver, "?")
    try:
        _until(driver, lambda d: d.execute_script("return document.getElementById('shortcuts').open"))
        opened = True
    except Exception:
        opened = False
    check(opened and _active(driver, "a && a.id") == "shortcuts-close", "? opens the cheat sheet with the focus in it")
    audit(driver, "the keyboard shortcuts' cheat sheet")
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    _until(driver, lambda d: not d.execute_script("return document.getElementById('shortcuts').open"))
    opener.click()
    _until(driver, lambda d: d.execute_script("return document.getElementById('shortcuts').open"))
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    _until(driver, lambda d: not d.execute_script("return document.getElementById('shortcuts').open"))
    check(_active(driver, "a && a.id") == "shortcuts-open", "Escape closes the cheat sheet and the focus goes back")
    driver.execute_script("document.activeElement.blur()")

    press(driver, "j")
    chosen = driver.execute_script(
        "var r = document.querySelector('#queue-results tr.kbd-selected'); return r && r.querySelector('td.number').textContent.trim();")
    check(bool(chosen) and _active(driver, "a && a.getAttribute('href')") == f"/desk/tickets/{chosen}",
          "j marks the first ticket and focuses its link")
    audit(driver, "desk queue with a ticket chosen by keyboard")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    _until(driver, lambda d: "/desk/tickets/" in d.current_url)
    check(driver.current_url.endswith(f"/desk/tickets/{chosen}"), "Enter opens the chosen ticket")
    _until(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    press(driver, "r")
    check(_active(driver, "a && a.id") == "f-body", "r on the ticket page jumps to the reply box")
    boxes = driver.find_elements(By.CSS_SELECTOR, "textarea[data-canned]")
    if boxes:
        canned_inserts(driver, boxes[0], check, audit, "the ticket's reply box")
        canned_placeholders_filled(driver, boxes[0], check, chosen)
    canned_deleted_on_yes(driver, base, check)

    sign_in(driver, base, "agent1@desk.demo")
    driver.get(base + "/desk/canned")
    check(TRIGGER in driver.page_source and not driver.find_elements(By.CSS_SELECTOR, "form[action='/desk/canned']"),
          "an agent reads the canned responses without changing them")
    audit(driver, "agent: canned responses")
    press(driver, "g", "q")
    _until(driver, lambda d: d.current_url.endswith("/desk"))
    check(driver.current_url.endswith("/desk"), "g then q goes to the queue")
