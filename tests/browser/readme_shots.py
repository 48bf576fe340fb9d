#!/usr/bin/env python3
"""The README's screenshots, from the demo: `staffel serve --demo` on a fresh data dir, the
school admin's helpdesk tile (docs/helpdesk.png) and the agent's desk queue (docs/desk.png),
in headless Chromium at 1280x800.

Usage: tests/browser/readme_shots.py [path/to/staffel]   (default: target/debug/staffel)
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import walk_portals as walk  # noqa: E402

SHOTS = [
    ("admin@gym-mitte.demo", "/helpdesk", "helpdesk.png"),
    ("agent1@desk.demo", "/desk", "desk.png"),
]


def main():
    data = tempfile.mkdtemp(prefix="staffel-shots-")
    port = walk.free_port()
    base = f"http://127.0.0.1:{port}"
    server, started = walk.start_demo(walk.BINARY, port, data)
    try:
        if not started:
            sys.exit(1)
        driver = walk.new_driver()
        try:
            # The viewport itself, not the window around it.
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
            for email, path, name in SHOTS:
                walk.sign_in(driver, base, email)
                driver.get(base + path)
                walk.wait_until(driver, lambda d: d.execute_script("return document.readyState") == "complete")
                target = os.path.join(walk.ROOT, "docs", name)
                driver.save_screenshot(target)
                print(f"wrote {target}")
        finally:
            driver.quit()
    finally:
        walk.stop(server)


if __name__ == "__main__":
    main()
