// pixsim-media serve: what the pages do with script. Every page reads without it.
"use strict";

(function () {
  // The asset page: timeline bands and keyframes seek the player; a playhead follows playback.
  function setUpTimeline() {
    var player = document.getElementById("player");
    var timeline = document.querySelector(".timeline");
    if (!player || !timeline) { return; }
    function seek(event, seconds) {
      if (isNaN(seconds)) { return; }
      event.preventDefault();
      player.currentTime = seconds;
      player.play().catch(function () { /* autoplay refused: the player stays at the new time */ });
    }
    timeline.querySelectorAll("[data-segment]").forEach(function (band) {
      band.addEventListener("click", function (event) { seek(event, parseFloat(band.dataset.start)); });
    });
    document.querySelectorAll("[data-seek]").forEach(function (link) {
      link.addEventListener("click", function (event) { seek(event, parseFloat(link.dataset.seek)); });
    });
    var duration = parseFloat(timeline.dataset.duration);
    var head = timeline.querySelector(".playhead");
    if (head && duration > 0) {
      timeline.classList.add("has-playhead");
      player.addEventListener("timeupdate", function () {
        head.style.left = Math.min(100, player.currentTime / duration * 100) + "%";
      });
    }
  }

  // The branch page: the source plays to the branch point, then the chosen (preloaded) variant continues.
  function setUpBranch() {
    var root = document.getElementById("branch-player");
    if (!root) { return; }
    var branchTime = parseFloat(root.dataset.branchTime);
    var source = root.querySelector('video[data-role="source"]');
    var status = root.querySelector(".branch-status");
    var mark = root.querySelector(".branch-mark");
    var chosen = null;
    function say(text) { if (status) { status.textContent = text; } }
    function variantVideo(tag) {
      var found = null;
      root.querySelectorAll('video[data-role="variant"]').forEach(function (video) {
        if (video.dataset.for === tag) { found = video; }
      });
      return found;
    }
    function show(video) {
      root.querySelectorAll("video.branch-video").forEach(function (other) {
        if (other !== video) { other.classList.remove("active"); other.pause(); }
      });
      video.classList.add("active");
    }
    function continueWith(tag) {
      var video = variantVideo(tag);
      if (!video) { return; }
      root.dataset.playing = tag;
      show(video);
      video.currentTime = 0;
      video.play().catch(function () { say("Press play to continue with " + tag + "."); });
      say("Playing " + tag + ".");
    }
    function reachedBranch() { return source.currentTime >= branchTime - 0.04 || source.ended; }
    source.addEventListener("loadedmetadata", function () {
      if (mark && source.duration > 0) { mark.style.left = Math.min(100, branchTime / source.duration * 100) + "%"; }
    });
    source.addEventListener("timeupdate", function () {
      if (root.dataset.playing !== "source" || !reachedBranch()) { return; }
      if (chosen) { continueWith(chosen); return; }
      source.pause();
      say("Branch point: choose how it continues.");
    });
    source.addEventListener("ended", function () {
      if (root.dataset.playing === "source" && chosen) { continueWith(chosen); }
    });
    root.querySelectorAll("button[data-variant]").forEach(function (button) {
      button.addEventListener("click", function () {
        chosen = button.dataset.variant;
        root.querySelectorAll("button[data-variant]").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        if (root.dataset.playing !== "source" || reachedBranch()) {
          continueWith(chosen);
        } else {
          say(chosen + " will follow at " + branchTime.toFixed(2) + " s.");
          if (source.paused) { source.play().catch(function () {}); }
        }
      });
    });
    // Preload every variant so the switch at the branch point does not wait for the network.
    root.querySelectorAll('video[data-role="variant"]').forEach(function (video) { video.load(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpTimeline();
    setUpBranch();
  });
})();
