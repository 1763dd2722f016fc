#!/usr/bin/python3
"""The review pages in a real browser: headless Chromium driven by Selenium (Debian's
python3-selenium and chromium-driver) opens what `mlstrat errors review` and `mlstrat labels
--review` write, ticks marks by click and by key, adds a tag, reloads, exports, and hands the
downloaded file back to `mlstrat errors tally` and `mlstrat labels apply`. The pages are served
from a local HTTP server: their marks live in the origin's localStorage, and a file:// page's
storage is not a stable origin in headless Chromium (a reload under load could see an empty
store while another tab still saw the marks).

Run by ctest (label `browser`) as
    /usr/bin/python3 tests/review_browser_test.py --mlstrat build/mlstrat --artifacts DIR
It exits 77 (ctest's skip) with a message when selenium or chromedriver is missing. Screenshots
of both pages land in DIR.
"""
import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "review")
ARGS = None


def skip(message):
    print("SKIPPED: " + message)
    sys.exit(77)


def mlstrat(*args, cwd=None):
    done = subprocess.run([ARGS.mlstrat, *args], capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        raise AssertionError(f"mlstrat {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def start_browser(downloads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = ARGS.chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1400,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(ARGS.chromedriver), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return driver


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the case's folder without a log line per request, and no icon (a browser asks a
    server for one; a missing one would be a console error)."""

    def do_GET(self):
        if self.path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


class ReviewPageCase(unittest.TestCase):
    """One browser per page; a fresh profile, so nothing is stored from an earlier run."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mlstrat_review_browser_")
        self.downloads = os.path.join(self.dir, "downloads")
        os.makedirs(self.downloads)
        self.driver = start_browser(self.downloads)
        handler = functools.partial(QuietHandler, directory=self.dir)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tearDown(self):
        self.driver.quit()
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, path):
        """The served address of a file in this case's folder."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/{os.path.relpath(path, self.dir)}"

    def open(self, page):
        self.driver.get(self.url(page))
        self.wait_ready()

    def wait_ready(self):
        deadline = time.time() + 10
        while self.driver.execute_script("return document.documentElement.getAttribute('data-review')") != "ready":
            self.assertLess(time.time(), deadline, "the page never became ready")
            time.sleep(0.05)

    def reload(self):
        """Reloads the page once the browser holds what it stored. The page stores each mark as
        it is made, but a page's storage writes reach the browser's store asynchronously, and a
        reload reads that store: on a busy machine it could come first. A blank page of the same
        origin in another tab reads the same store, so the reload waits until it shows every
        stored item."""
        stored = self.driver.execute_script(
            "return Object.keys(localStorage).sort().map(k => [k, localStorage.getItem(k)])")
        self.assertTrue(stored, "the page stored nothing to survive a reload")
        blank = os.path.join(self.dir, "blank.html")
        with open(blank, "w") as f:
            f.write("<!doctype html><title>blank</title>")
        page = self.driver.current_window_handle
        self.driver.switch_to.new_window("tab")
        self.driver.get(self.url(blank))
        deadline = time.time() + 10
        while self.driver.execute_script(
                "return Object.keys(localStorage).sort().map(k => [k, localStorage.getItem(k)])") != stored:
            self.assertLess(time.time(), deadline, "the browser's store never held the page's marks")
            time.sleep(0.05)
            self.driver.refresh()
        self.driver.close()
        self.driver.switch_to.window(page)
        self.driver.refresh()
        self.wait_ready()

    def card(self, k):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.ID, f"card-{k}")

    def press(self, keys):
        from selenium.webdriver.common.action_chains import ActionChains
        ActionChains(self.driver).send_keys(keys).perform()

    def progress(self):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.ID, "progress").text

    def export(self, name):
        from selenium.webdriver.common.by import By
        self.driver.find_element(By.ID, "export").click()
        path = os.path.join(self.downloads, name)
        deadline = time.time() + 10
        while not os.path.exists(path):
            self.assertLess(time.time(), deadline, f"{name} was not downloaded: {os.listdir(self.downloads)}")
            time.sleep(0.05)
        return path

    def screenshot(self, name):
        os.makedirs(ARGS.artifacts, exist_ok=True)
        self.driver.save_screenshot(os.path.join(ARGS.artifacts, name))

    def no_console_errors(self):
        self.assertEqual([p["message"] for p in self.driver.get_log("browser")], [])


class ErrorReview(ReviewPageCase):
    def test_tick_add_reload_export_tally(self):
        from selenium.webdriver.common.by import By
        page = os.path.join(self.dir, "review.html")
        out = json.loads(mlstrat("errors", "review", os.path.join(DATA, "pred.csv"), "--n", "100",
                                 "--seed", "3", "--tags", "blurry,dark", "--error", "12.5%",
                                 "--out", page, "--json"))
        self.assertEqual(out["cards"], 10)
        self.open(page)
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, ".card")), 10)
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, ".card img")), 10)
        self.assertEqual(self.progress(), "0 of 10 reviewed")

        # By click: blurry on the first card. By key: j moves on, 2 toggles dark, m mislabeled.
        self.card(0).find_element(By.CSS_SELECTOR, 'input[data-tag="blurry"]').click()
        self.press("j2m")
        # A new tag reaches every card; tick it on the third by click.
        self.driver.find_element(By.ID, "new-tag").send_keys("occluded")
        self.driver.find_element(By.ID, "add-tag").click()
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, 'input[data-tag="occluded"]')), 10)
        self.card(2).find_element(By.CSS_SELECTOR, 'input[data-tag="occluded"]').click()
        # The fourth gets a comment, with a comma and a quote to be quoted on export.
        self.card(3).find_element(By.CSS_SELECTOR, "textarea.comment").send_keys('odd angle, "rotated"')
        self.assertEqual(self.progress(), "4 of 10 reviewed")
        tally = {row.get_attribute("data-tag"): [td.text for td in row.find_elements(By.TAG_NAME, "td")]
                 for row in self.driver.find_elements(By.CSS_SELECTOR, "#tally tr[data-tag]")}
        # 1 of the 4 reviewed errors each: 25.00%, and 12.5% x 0.75 = 9.38% (9.375 rounded).
        self.assertEqual(tally["blurry"], ["blurry", "1", "25.00%", "9.38%"])
        self.assertEqual(tally["(mislabeled)"], ["(mislabeled)", "1", "25.00%", "9.38%"])
        self.screenshot("errors_review.png")

        # The marks survive a reload.
        self.reload()
        self.assertEqual(self.progress(), "4 of 10 reviewed")
        self.assertTrue(self.card(0).find_element(By.CSS_SELECTOR, 'input[data-tag="blurry"]').is_selected())
        self.assertTrue(self.card(1).find_element(By.CSS_SELECTOR, 'input[data-tag="dark"]').is_selected())
        self.assertTrue(self.card(1).find_element(By.CSS_SELECTOR, "input[data-mis]").is_selected())
        self.assertTrue(self.card(2).find_element(By.CSS_SELECTOR, 'input[data-tag="occluded"]').is_selected())
        self.assertEqual(self.card(3).find_element(By.CSS_SELECTOR, "textarea.comment").get_attribute("value"),
                         'odd angle, "rotated"')

        sheet = self.export("review_sheet_reviewed.csv")
        with open(sheet) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "index,id,image,p_cat,p_dog,p_bird,region,label,pred,blurry,dark,"
                                   "occluded,mislabeled,comments")
        self.assertTrue(lines[4].endswith(',"odd angle, ""rotated"""'), lines[4])
        tally = json.loads(mlstrat("errors", "tally", sheet, "--error", "12.5%", "--json"))
        self.assertEqual(tally["reviewed"], 10)
        counts = {c["tag"]: c["count"] for c in tally["categories"]}
        self.assertEqual(counts, {"blurry": 1, "dark": 1, "occluded": 1})
        self.assertEqual(tally["mislabeled"]["count"], 1)
        self.no_console_errors()


class LabelReview(ReviewPageCase):
    def test_verdicts_reload_export_apply(self):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select
        page = os.path.join(self.dir, "labels.html")
        table = os.path.join(DATA, "labels.csv")
        out = json.loads(mlstrat("labels", table, "--prob-cols", "p_*", "--id-col", "id",
                                 "--review", page, "--json"))
        self.assertEqual(out["review"]["cards"], 4)
        self.open(page)
        heads = [self.card(k).find_element(By.CSS_SELECTOR, ".head").text for k in range(4)]
        self.assertEqual([h.split(" · ")[1] for h in heads], ["img5", "img17", "img26", "img33"])

        self.press("w")   # img5: bird, fixed to the suggested dog
        self.press("jr")  # img17: the label is right after all
        self.card(2).find_element(By.CSS_SELECTOR, 'input[value="unsure"]').click()
        # img33 (cat): wrong, but fixed to bird rather than the suggested dog.
        Select(self.card(3).find_element(By.CSS_SELECTOR, "select.fix")).select_by_visible_text("bird")
        self.assertEqual(self.progress(), "4 of 4 reviewed")
        verdicts = {row.get_attribute("data-verdict"): row.find_elements(By.TAG_NAME, "td")[1].text
                    for row in self.driver.find_elements(By.CSS_SELECTOR, "#tally tr[data-verdict]")}
        self.assertEqual(verdicts, {"wrong": "2", "right": "1", "unsure": "1"})
        self.screenshot("labels_review.png")

        self.reload()
        self.assertEqual(self.progress(), "4 of 4 reviewed")
        self.assertTrue(self.card(1).find_element(By.CSS_SELECTOR, 'input[value="right"]').is_selected())
        self.assertEqual(Select(self.card(3).find_element(By.CSS_SELECTOR, "select.fix"))
                         .first_selected_option.text, "bird")

        corrections = self.export("labels_corrections.csv")
        fixed = os.path.join(self.dir, "fixed.csv")
        applied = json.loads(mlstrat("labels", "apply", table, "--corrections", corrections,
                                     "--out", fixed, "--json"))
        self.assertEqual((applied["changed"], applied["wrong"], applied["right"], applied["unsure"]),
                         (2, 2, 1, 1))
        with open(table) as f:
            before = f.read().splitlines()
        with open(fixed) as f:
            after = f.read().splitlines()
        changed = {i: after[i] for i in range(len(before)) if before[i] != after[i]}
        # Lines 7 and 35 hold rows 5 and 33 (the header is line 1).
        self.assertEqual(changed, {6: "img5,images.idx#5,dog,0.1,0.8,0.1",
                                   34: "img33,images.idx#33,bird,0.1,0.8,0.1"})
        self.no_console_errors()


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--mlstrat", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    ARGS, rest = parser.parse_known_args()
    ARGS.mlstrat = os.path.abspath(ARGS.mlstrat)
    ARGS.artifacts = os.path.abspath(ARGS.artifacts)
    try:
        import selenium  # noqa: F401
    except ImportError:
        skip("python3-selenium is not installed (scripts/bootstrap installs it): the review pages "
             "were not opened in a browser")
    for what, path in (("chromium", ARGS.chromium), ("chromium-driver", ARGS.chromedriver)):
        if not os.access(path, os.X_OK):
            skip(f"{what} is not installed (scripts/bootstrap installs it): the review pages were "
                 "not opened in a browser")
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
