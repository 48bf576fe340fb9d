"""The states of the walk that exist for accessibility: forms refused with their errors, the
error pages, every role's start page on a 320 px wide phone, a handful of pages in dark mode,
and the FAQ search's keys. Each state is audited by axe (see axe.py)."""
import re
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

import axe

# Every role's start page and the widest pages each reaches (tables, the desk ticket).
# `{ticket}`: the walk's own ticket at the desk (the demo's desk has tickets of its own).
PHONE = [
    ("lehrer@gym-mitte.demo", "teacher", ["/faq", "/reports"]),
    ("admin@gym-mitte.demo", "school_admin", ["/helpdesk", "/helpdesk/all", "/helpdesk/stats"]),
    ("agent1@desk.demo", "agent", ["/desk?queue=all", "/desk/tickets/{ticket}", "/desk/chat"]),
    ("lead@desk.demo", "desk_lead", ["/desk/settings", "/desk/stats"]),
    ("operator@staffel.demo", "operator", ["/admin/users", "/admin/schools"]),
]
DARK = [
    (None, ["/faq", "/faq?q=Passwort", "/login"]),
    ("admin@gym-mitte.demo", ["/helpdesk", "/helpdesk/all"]),
    ("agent1@desk.demo", ["/desk?queue=all", "/desk/tickets/{ticket}"]),
]


def _until(driver, condition, timeout=10):
    WebDriverWait(driver, timeout).until(condition)


def search_keys(driver, box, check):
    """Escape closes the open list and keeps the query; ↓ opens it again; a second Escape
    (list closed) clears the query, as a search box does."""
    typed = box.get_attribute("value")
    box.send_keys(Keys.ESCAPE)
    check(box.get_attribute("aria-expanded") == "false" and box.get_attribute("value") == typed,
          "Escape closes the suggestions and keeps the query")
    box.send_keys(Keys.ARROW_DOWN)
    try:
        _until(driver, lambda d: box.get_attribute("aria-expanded") == "true")
        check(True, "↓ opens the suggestions again")
    except Exception:
        check(False, "↓ opens the suggestions again")
    time.sleep(0.3)
    box.send_keys(Keys.ARROW_DOWN)


def _field_marked(driver, field_id):
    """The field says it is invalid and points at its own message, which says something."""
    field = driver.find_elements(By.ID, field_id)
    if not field or field[0].get_attribute("aria-invalid") != "true":
        return False
    described = (field[0].get_attribute("aria-describedby") or "").split()
    own = f"{field_id}-error"
    return own in described and driver.find_element(By.ID, own).text.strip() != ""


def _summary_names(driver, field_ids):
    """The error summary links to each of these fields."""
    links = [a.get_attribute("href") or "" for a in driver.find_elements(By.CSS_SELECTOR, "#form-error a")]
    return all(any(href.endswith("#" + f) for href in links) for f in field_ids)


def forms_with_errors(driver, base, sign_in, audit, check, ticket):
    sign_in(driver, base, "lehrer@gym-mitte.demo")
    driver.get(base + "/reports")
    driver.find_element(By.CSS_SELECTOR, "form[action='/reports'] button[type=submit]").click()
    _until(driver, lambda d: d.find_elements(By.ID, "form-error"))
    fields = ["f-affected", "f-since", "f-how_many", "f-description"]
    check(all(_field_marked(driver, f) for f in fields), "an empty report marks every field, each with its message")
    check(_summary_names(driver, fields), "the report form's error summary links to every field")
    audit(driver, "teacher's report form with errors")

    sign_in(driver, base, "admin@gym-mitte.demo")
    driver.get(base + "/helpdesk")
    driver.find_element(By.CSS_SELECTOR, "form[action='/helpdesk/tickets'] button[type=submit]").click()
    _until(driver, lambda d: d.find_elements(By.ID, "form-error"))
    fields = ["f-title", "f-description"]
    check(all(_field_marked(driver, f) for f in fields), "an empty ticket marks title and description")
    check(_summary_names(driver, fields), "the ticket form's error summary links to both")
    audit(driver, "helpdesk new-ticket form with errors")

    sign_in(driver, base, "agent1@desk.demo")
    driver.get(base + f"/desk/tickets/{ticket}")
    driver.find_element(By.ID, "box-send").click()
    _until(driver, lambda d: d.find_elements(By.ID, "form-error"))
    check(_field_marked(driver, "f-body"), "an empty desk reply marks its field")
    audit(driver, "desk ticket page, reply refused")

    driver.get(base + "/desk/tickets/T-999999")
    audit(driver, "the not-found page (404)")


# Each form of the ticket page's facts (assign, priority and service …): what sticks out of
# the form, a label not above its field, a button narrower than the form.
FACTS_FORM_FAULTS = """
const faults = [];
document.querySelectorAll('.ticket-facts form.stack').forEach(form => {
  const name = form.getAttribute('action').split('/').pop();
  const box = form.getBoundingClientRect();
  form.querySelectorAll('label, select, button').forEach(el => {
    const r = el.getBoundingClientRect();
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5) { faults.push(name + ': ' + el.tagName + ' sticks out'); }
    if (el.tagName === 'BUTTON' && r.width < box.width - 1) { faults.push(name + ': button not full width'); }
    if (el.tagName === 'LABEL') {
      const field = document.getElementById(el.htmlFor);
      if (field && field.getBoundingClientRect().top < r.bottom - 0.5) { faults.push(name + ': label not above ' + el.htmlFor); }
    }
  });
});
return faults;
"""


def facts_forms_on_a_phone(driver, check):
    faults = driver.execute_script(FACTS_FORM_FAULTS)
    forms = driver.execute_script("return document.querySelectorAll('.ticket-facts form.stack').length")
    check(forms >= 2 and not faults,
          f"phone: the ticket's {forms} facts forms fit, labels above fields, buttons full width"
          + (f" ({'; '.join(faults)})" if faults else ""))


def on_a_phone(driver, base, sign_in, audit, check, ticket):
    axe.phone(driver)
    try:
        driver.get(base + "/faq")
        audit(driver, "phone: anonymous FAQ")
        for email, role, paths in PHONE:
            sign_in(driver, base, email)
            for path in paths:
                path = path.format(ticket=ticket)
                driver.get(base + path)
                wide = axe.overflows(driver)
                check(wide == 0, f"phone: {role} {path} fits 320 px" + (f" (wider by {wide} px)" if wide else ""))
                if path.startswith("/desk/tickets/"):
                    facts_forms_on_a_phone(driver, check)
                audit(driver, f"phone: {role} {path}")
    finally:
        axe.phone(driver, False)


def in_dark_mode(driver, base, sign_in, audit, check, ticket):
    axe.dark(driver)
    try:
        for email, paths in DARK:
            if email:
                sign_in(driver, base, email)
            else:
                driver.delete_all_cookies()
            for path in paths:
                path = path.format(ticket=ticket)
                driver.get(base + path)
                scheme = driver.execute_script(
                    "return getComputedStyle(document.body).backgroundColor")
                rgb = [int(n) for n in re.findall(r"\d+", scheme)[:3]]
                check(sum(rgb) < 3 * 80, f"dark: {path} is dark ({scheme})")
                audit(driver, f"dark: {path}")
    finally:
        axe.dark(driver, False)


def _shown(driver, selector):
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return bool(found) and found[0].is_displayed()


def desk_ticket_box(driver, base, sign_in, audit, check, ticket):
    """The desk ticket page's reply box: the modes switch label and button, a note tints the
    box, resolving asks first (inline with the script, as a page of its own without it), and
    a phone shows the facts first."""
    sign_in(driver, base, "agent1@desk.demo")
    page = base + f"/desk/tickets/{ticket}"
    driver.get(page)
    _until(driver, lambda d: "tabs" in d.find_element(By.ID, "reply-box").get_attribute("class"))
    plain = driver.execute_script("return getComputedStyle(document.getElementById('reply-box')).backgroundColor")
    check(driver.execute_script("return getComputedStyle(document.querySelector('.ticket-facts')).position") == "sticky",
          "desk ticket: the facts stay in view on a wide screen")
    driver.find_element(By.CSS_SELECTOR, "label[for=mode-note]").click()
    label = driver.find_element(By.ID, "f-body-label").text
    tinted = driver.execute_script("return getComputedStyle(document.getElementById('reply-box')).backgroundColor")
    check(label.startswith("Interne Notiz") and tinted != plain, "desk ticket: a note is labelled and tinted")
    audit(driver, "desk ticket page, internal note chosen")
    driver.find_element(By.ID, "f-body").send_keys("Entwurf: Lampe bestellt.")
    # Saving priority and service as they are leaves the ticket's status (and what the
    # teacher's report shows) alone.
    driver.find_element(By.CSS_SELECTOR, "form[action$='/reclassify'] button").click()
    _until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))
    check(driver.find_element(By.ID, "f-body").get_attribute("value") == "Entwurf: Lampe bestellt."
          and driver.find_element(By.ID, "mode-note").is_selected(),
          "desk ticket: the typed note survives the priority form's post")
    driver.find_element(By.ID, "f-body").clear()
    driver.find_element(By.CSS_SELECTOR, "label[for=mode-resolve]").click()
    check(driver.find_element(By.ID, "box-send").text == "Lösen" and not _shown(driver, "#box-close"),
          "desk ticket: the resolve mode names its button and hides reply-and-resolve")
    driver.find_element(By.ID, "f-body").send_keys("Beamer-Lampe getauscht.")
    driver.find_element(By.ID, "box-send").click()
    check(_shown(driver, "#reply-box .inline-confirm") and driver.current_url == page,
          "desk ticket: resolving asks inline first")
    audit(driver, "desk ticket page, asking before resolving")
    driver.find_element(By.CSS_SELECTOR, "#reply-box .inline-confirm [data-no]").click()
    # Without the script's submit handler (form.submit() fires none) the server asks.
    driver.execute_script("document.getElementById('reply-box').submit()")
    _until(driver, lambda d: d.find_elements(By.ID, "confirm"))
    check("Wirklich lösen?" in driver.page_source, "desk ticket: without the script, the server asks")
    audit(driver, "desk ticket page, the server asks before resolving")
    axe.phone(driver)
    try:
        driver.get(page)
        first = driver.execute_script(
            "return document.querySelector('.ticket-facts').getBoundingClientRect().top"
            " < document.querySelector('.ticket-main').getBoundingClientRect().top")
        check(first, "phone: the desk ticket shows its facts first")
    finally:
        axe.phone(driver, False)


def report_pages(driver, base, sign_in, audit, check):
    """The reports pages: every chart an image with its title and description, each with the
    table behind it; audited for the desk lead and a school's admin."""
    for email, path in [("lead@desk.demo", "/desk/stats"), ("admin@gym-mitte.demo", "/helpdesk/stats")]:
        sign_in(driver, base, email)
        driver.get(base + path)
        charts = driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
        titled = all(c.find_elements(By.TAG_NAME, "title") and c.get_attribute("aria-labelledby") for c in charts)
        check(titled, f"{path}: {len(charts)} charts, each titled and described")
        check(len(driver.find_elements(By.CSS_SELECTOR, "table")) >= len(charts), f"{path}: a table behind each chart")
        audit(driver, f"reports: {path}")


def walk(driver, base, sign_in, audit, check, ticket):
    """`ticket`: the number of a ticket of the walk's own, new at the desk."""
    forms_with_errors(driver, base, sign_in, audit, check, ticket)
    report_pages(driver, base, sign_in, audit, check)
    desk_ticket_box(driver, base, sign_in, audit, check, ticket)
    on_a_phone(driver, base, sign_in, audit, check, ticket)
    in_dark_mode(driver, base, sign_in, audit, check, ticket)
