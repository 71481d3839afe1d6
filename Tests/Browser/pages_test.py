#!/usr/bin/env python3
"""Every page of `pixsim-media serve` in headless Chromium (selenium + Debian's chromedriver).

Usage: pages_test.py BASE_URL OUT_DIR STORY_ID CLIP_ID GRANDCHILD_ID BRANCH_ID

Checks that each page loads without console errors, that the timeline has one band per segment of the API,
that the lineage graph has the expected nodes and edges, and that the branch player reaches the chosen
variant after the branch point. Writes a screenshot of each page into OUT_DIR. Exits 1 listing what failed.
"""
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return json.load(response)


def main():
    base, out, story, clip, grandchild, branch = sys.argv[1:7]
    os.makedirs(out, exist_ok=True)
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--mute-audio",
                     "--autoplay-policy=no-user-gesture-required", "--disable-gpu", "--hide-scrollbars"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    def wait_for(script, seconds=15):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if driver.execute_script(script):
                return True
            time.sleep(0.1)
        return False

    def load(path, name, width=1280, console=True):
        driver.set_window_size(width, 900)
        driver.get(base + path)
        wait_for("return document.readyState === 'complete'")
        wait_for("return Array.from(document.images).every(function (i) { return i.complete; })", 10)
        if console:
            severe = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
            check(not severe, "%s: console errors: %s" % (path, severe))
        else:
            driver.get_log("browser")
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(overflow <= 1, "%s at %d px: the page is %d px wider than the window" % (path, width, overflow))

    def screenshot(name, width=1280):
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, 600), 4000))
        time.sleep(0.2)
        driver.save_screenshot(os.path.join(out, name + ".png"))

    try:
        load("/", "index")
        cards = driver.find_elements(By.CSS_SELECTOR, ".grid .card[data-asset]")
        check(len(cards) >= 4, "index: %d cards" % len(cards))
        screenshot("index")
        load("/?type=video&q=left", "index-filtered")
        shown = [card.get_attribute("data-asset") for card in driver.find_elements(By.CSS_SELECTOR, ".card[data-asset]")]
        check(len(shown) == 1, "index filtered by name: %s" % shown)
        screenshot("index-filtered")
        load("/", "index-phone", width=390)
        screenshot("index-phone", width=390)

        load("/assets/%s" % story, "asset")
        segments = api(base, "/api/v1/assets/%s/segments" % story)["segments"]
        bands = driver.find_elements(By.CSS_SELECTOR, ".timeline [data-segment]")
        check(len(bands) == len(segments) and len(bands) >= 2,
              "timeline: %d bands for %d segments" % (len(bands), len(segments)))
        check([band.get_attribute("data-segment") for band in bands] == [str(s["index"]) for s in segments],
              "timeline bands are not the segments in order")
        check(wait_for("return document.getElementById('player').readyState >= 1"), "asset: the video does not load")
        if len(bands) >= 2:
            # Where the seek landed, taken when it completes: the click also starts playback, and a
            # slow browser (a loaded machine, a sanitizer build) polled a second later saw it played on.
            driver.execute_script("window.seekedTo = null; document.getElementById('player').addEventListener("
                                  "'seeked', function () { window.seekedTo = this.currentTime; }, {once: true})")
            bands[1].click()
            target = segments[1]["start_time"]
            check(wait_for("return window.seekedTo !== null && Math.abs(window.seekedTo - %f) < 0.35" % target, 10),
                  "clicking band 1 does not seek to %.3f s (seeked to %s)" % (
                      target, driver.execute_script("return window.seekedTo")))
            driver.execute_script("document.getElementById('player').pause()")
        screenshot("asset")
        load("/assets/%s" % story, "asset-phone", width=390)
        screenshot("asset-phone", width=390)

        load("/assets/%s" % clip, "lineage")
        nodes = {node.get_attribute("data-asset") for node in driver.find_elements(By.CSS_SELECTOR, "svg.lineage [data-asset]")}
        check(nodes == {story, clip, grandchild}, "lineage nodes %s, expected %s" % (sorted(nodes), sorted({story, clip, grandchild})))
        edges = {(edge.get_attribute("data-parent"), edge.get_attribute("data-child"))
                 for edge in driver.find_elements(By.CSS_SELECTOR, "svg.lineage g.edge")}
        check(edges == {(story, clip), (clip, grandchild)}, "lineage edges %s" % sorted(edges))
        labels = [text.text for text in driver.find_elements(By.CSS_SELECTOR, "svg.lineage g.edge text")]
        check(all("clip" in label for label in labels) and labels, "edge labels %s" % labels)
        ancestor_y = driver.execute_script("return document.querySelector('svg.lineage [data-asset=\"%s\"] rect').getAttribute('y')" % story)
        child_y = driver.execute_script("return document.querySelector('svg.lineage [data-asset=\"%s\"] rect').getAttribute('y')" % grandchild)
        check(float(ancestor_y) < float(child_y), "ancestors are not drawn above descendants")
        screenshot("lineage")

        load("/branches/%s" % branch, "branch")
        document = api(base, "/api/v1/branches/%s" % branch)
        branch_time = document["branch_time"]
        variants = {v["variant_tag"]: api(base, "/api/v1/assets/%d" % v["variant_asset_id"])["asset"]["sha256"]
                    for v in document["variants"]}
        buttons = {button.get_attribute("data-variant") for button in driver.find_elements(By.CSS_SELECTOR, "button[data-variant]")}
        check(buttons == set(variants), "variant buttons %s, expected %s" % (sorted(buttons), sorted(variants)))
        screenshot("branch")
        driver.set_window_size(1280, 900)
        driver.execute_script("document.querySelector('video[data-role=\"source\"]').play()")
        check(wait_for("return document.querySelector('video[data-role=\"source\"]').currentTime > 0.2", 10),
              "branch: the source does not play")
        driver.find_element(By.CSS_SELECTOR, "button[data-variant=\"right\"]").click()
        reached = wait_for("return document.getElementById('branch-player').dataset.playing === 'right'", 15)
        check(reached, "branch: the player never switched to the variant")
        if reached:
            source_time = driver.execute_script("return document.querySelector('video[data-role=\"source\"]').currentTime")
            check(source_time >= branch_time - 0.1, "branch: switched at %.3f s, before the branch point %.3f" % (source_time, branch_time))
            check(wait_for("var v = document.querySelector('video.branch-video.active'); return v && v.currentTime > 0.2", 10),
                  "branch: the variant does not play")
            active = driver.execute_script("var v = document.querySelector('video.branch-video.active'); return [v.dataset.for, v.currentSrc]")
            check(active[0] == "right" and active[1].endswith("/media/" + variants["right"]), "branch: active video %s" % active)
        screenshot("branch-playing")
        severe = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        check(not severe, "branch playback: console errors: %s" % severe)

        load("/assets/999999", "not-found", console=False)
        check("404" in driver.find_element(By.TAG_NAME, "h1").text, "the missing asset page does not say 404")
        screenshot("not-found")
    finally:
        driver.quit()

    print(json.dumps({"failures": failures, "screenshots": sorted(os.listdir(out))}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
