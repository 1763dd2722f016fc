#!/usr/bin/python3
"""The report's layout in a real browser: headless Chromium (Selenium, chromium-driver) opens the
report of a small project whose predictions carry images and probabilities, at 1024, 1400 and
1920 px wide, and checks from the DOM's boxes that no element overlaps another: lines of text,
images, form controls and charts, and inside each chart its text labels. It also checks that the
strips of examples show their thumbnails and name their run and file, that every percentage has
two decimals, and that the page stays under 5 MB when the predictions are large. Screenshots of
each width land in the artifacts folder.

Run by ctest (label `browser`):
    /usr/bin/python3 tests/report_layout_browser_test.py --mlstrat build/mlstrat --artifacts DIR
It exits 77 (ctest's skip) with a message when selenium or chromedriver is missing.
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import review_browser_test as common  # noqa: E402  (the browser, the skip rule, the arguments)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "review")

# Every pair of boxes that intersect by more than a pixel each way, as a list of descriptions.
# Text is measured line by line (Range.getClientRects), so a paragraph's empty right side does not
# count; SVG text labels are compared within their chart.
OVERLAPS_JS = r"""
const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
  (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
const boxes = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const parent = node.parentElement;
  if (!node.textContent.trim() || parent.closest('svg, script, style, .chart')) continue;
  if (getComputedStyle(parent).visibility === 'hidden') continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  for (const r of range.getClientRects()) {
    if (r.width > 0 && r.height > 0) boxes.push({r, el: parent, what: 'text "' + node.textContent.trim().slice(0, 30) + '"'});
  }
}
for (const el of document.querySelectorAll('img, input, button, select, textarea, .chart > svg, .chart canvas')) {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && r.height > 0) boxes.push({r, el, what: describe(el)});
}
const hits = [];
const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
                          Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
for (let i = 0; i < boxes.length; ++i) {
  for (let j = i + 1; j < boxes.length; ++j) {
    const a = boxes[i], b = boxes[j];
    if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
    if (overlap(a.r, b.r)) hits.push(a.what + ' / ' + b.what);
  }
}
const width = document.documentElement.clientWidth;
for (const b of boxes) if (b.r.right > width + 1) hits.push(b.what + ' runs past the right edge');
for (const svg of document.querySelectorAll('.chart > svg')) {
  // Vega hides the axis labels that would collide (labelOverlap) by making them transparent.
  const labels = [...svg.querySelectorAll('text')]
    .filter(t => t.textContent.trim() && getComputedStyle(t).opacity !== '0' && t.getAttribute('opacity') !== '0')
    .map(t => ({r: t.getBoundingClientRect(), what: t.closest('.chart').id + ' label "' + t.textContent + '"'}));
  for (let i = 0; i < labels.length; ++i)
    for (let j = i + 1; j < labels.length; ++j)
      if (overlap(labels[i].r, labels[j].r)) hits.push(labels[i].what + ' / ' + labels[j].what);
}
return hits;
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_project(root, rows=2000):
    """Three runs as in tests/report_helpers.hpp; the winner's dev predictions reference the
    images of tests/data/review/images.idx and carry probabilities."""
    db = os.path.join(root, "mlstrat.db")
    common.mlstrat("project", "set", "--db", db, "--human", "team=0.5%", "--minimize", "dev_error",
                   "--require", "latency_ms<=100")
    specs = [("small-mlp", 0.08, 0.09, 0.12, 0.125, 12), ("wide-cnn", 0.02, 0.028, 0.07, 0.074, 45),
             ("resnet-50", 0.009, 0.015, 0.055, None, 180)]
    for name, train, train_dev, dev, test, latency in specs:
        args = ["runs", "add", name, "--db", db, "--kind", "train", "--train", str(train),
                "--train-dev", str(train_dev), "--dev", str(dev), "--size", "train=20000",
                "--size", "train_dev=2000", "--size", "dev=2000", "--metric", f"latency_ms={latency}"]
        if test is not None:
            args += ["--test", str(test), "--size", "test=2000"]
        common.mlstrat(*args)
        history = "epoch,lr,loss,train_error,train_dev_error,dev_error,seconds,examples_per_second\n"
        for epoch in range(1, 13):
            left = math.exp(-0.45 * (epoch - 1))
            history += (f"{epoch},0.001,{0.3 + 1.5 * left:.4f},{train + 0.30 * left:.5f},"
                        f"{train_dev + 0.30 * left:.5f},{dev + 0.28 * left:.5f},{4.0 * epoch:.1f},5000.0\n")
        write(os.path.join(root, "runs", name, "history.csv"), history)
    # Fashion-MNIST's ten classes and their long names, as in the demo.
    classes = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
               "Bag", "Ankle boot"]
    regions = ["US", "China", "India", "Other"]
    images = os.path.join(DATA, "images.idx")
    lines = ["id,image,label,pred,region,device," + ",".join("p_" + c for c in classes)]
    for i in range(rows):
        k = (i * 7) % 10
        wrong = i % 14 == 0 or (i % 4 == 2 and i % 5 == 0)
        p = (k + 1 + i % 3) % 10 if wrong else k
        given = (k + 1) % 10 if i % 97 == 0 else k  # a few labels against a confident model
        probs = [0.01] * 10
        probs[p] = 0.91
        lines.append(f"r{i},{images}#{i % 40},{classes[given]},{classes[p]},{regions[i % 4]},"
                     f"{'web' if i % 3 == 0 else 'phone'}," + ",".join(str(v) for v in probs))
    write(os.path.join(root, "runs", "wide-cnn", "pred_dev.csv"), "\n".join(lines) + "\n")
    return db


class ReportLayout(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mlstrat_report_layout_")
        self.driver = common.start_browser(self.dir)

    def tearDown(self):
        self.driver.quit()
        shutil.rmtree(self.dir, ignore_errors=True)

    def report(self, rows):
        db = make_project(self.dir, rows)
        html = os.path.join(self.dir, "report.html")
        doc = json.loads(common.mlstrat(
            "report", "--out", html, "--db", db, "--runs-dir", os.path.join(self.dir, "runs"),
            "--slice-col", "region", "--slice-col", "device",
            "--sheet", os.path.join(HERE, "data", "analysis", "notes_sheet.csv"), "--error", "7%",
            "--json", cwd=self.dir))
        return html, doc

    def wait_rendered(self):
        deadline = time.time() + 30
        state = None
        while time.time() < deadline:
            state = self.driver.execute_script("return document.documentElement.getAttribute('data-report')")
            if state in ("rendered", "error"):
                break
            time.sleep(0.05)
        self.assertEqual(state, "rendered", self.driver.find_element("id", "report-status").text)

    def test_no_overlaps_at_three_widths(self):
        html, doc = self.report(2000)
        with open(html) as f:
            page = f.read()
        for width in (1024, 1400, 1920):
            with self.subTest(width=width):
                self.driver.set_window_size(width, 1000)
                self.driver.get("file://" + html)
                self.wait_rendered()
                self.assertEqual(self.driver.execute_script(OVERLAPS_JS), [])
                height = self.driver.execute_script("return document.documentElement.scrollHeight")
                self.driver.set_window_size(width, height)
                os.makedirs(common.ARGS.artifacts, exist_ok=True)
                self.driver.save_screenshot(os.path.join(common.ARGS.artifacts, f"report_{width}.png"))
        self.assertEqual([e["message"] for e in self.driver.get_log("browser")], [])

        # The strips: thumbnails, true -> predicted, the run and the file named.
        strip = doc["error_examples"]
        self.assertEqual(strip["run"], "wide-cnn")
        self.assertTrue(strip["source"].endswith("runs/wide-cnn/pred_dev.csv"))
        self.assertEqual(len(strip["examples"]), 24)
        self.assertTrue(all(e["thumbnail"] for e in strip["examples"]))
        self.assertGreater(strip["total"], 24)
        self.assertIn("a sample of 24 (the same every time)", page)
        self.assertGreater(doc["label_examples"]["total"], 0)
        self.assertEqual(page.count('<figure class="example"><img'), 24 + len(doc["label_examples"]["examples"]))
        lead = self.driver.find_element("css selector", "#error-examples .lead").text
        self.assertIn("Run wide-cnn, ", lead)
        self.assertIn("runs/wide-cnn/pred_dev.csv", lead)

        # Percentages: two decimals everywhere in the page's text (the charts' axes excepted).
        text = self.driver.execute_script(
            "const main = document.querySelector('main').cloneNode(true);"
            "main.querySelectorAll('.chart').forEach(c => c.remove());"
            "return main.textContent;")
        # A confidence level ("95% interval") is not a rate.
        rates = re.findall(r"\d+(?:\.\d+)?%(?! interval| CI)", text)
        odd = [p for p in rates if not re.fullmatch(r"\d+\.\d\d%", p)]
        self.assertEqual(odd, [])

    def test_large_predictions_stay_under_5_mb(self):
        html, doc = self.report(200000)
        size = os.path.getsize(html)
        self.assertLess(size, 5_000_000)
        self.assertEqual(len(doc["error_examples"]["examples"]), 24)
        self.assertLessEqual(len(doc["label_examples"]["examples"]), 12)


if __name__ == "__main__":
    common.main()
