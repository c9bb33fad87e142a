/* The assessors' fieldwork page (assessments/views/fieldwork.py): each answer is saved as soon as it changes.
 *
 * Without this script the page still works: the Save button posts every answer whose value differs from the
 * hidden "originals". With it, a change of a radio button, or of the notes once the textarea is left, posts
 * that one answer to the form's data-answer-url; the question shows "Saving…", "Saved" or the error, and the
 * progress (overall and per cluster) is updated from the JSON answer. The originals are updated too, so a
 * later Save posts only what is still unsaved. No inline script: CSP allows only files from 'self'.
 */
(function () {
  "use strict";

  var form = document.getElementById("fieldwork-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var text = form.dataset;
  var originalsInput = form.querySelector("[data-originals]");

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) {
      return input.value;
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key];
    });
  }

  function setOriginal(id, answer, notes) {
    var originals;
    try {
      originals = JSON.parse(originalsInput.value || "{}");
    } catch (e) {
      originals = {};
    }
    originals[id] = [answer, notes];
    originalsInput.value = JSON.stringify(originals);
  }

  function showProgress(data) {
    var overall = document.getElementById("progress-overall");
    if (overall) {
      overall.querySelector("[data-progress-text]").textContent =
        format(text.textProgress, { x: data.answered, y: data.total });
      var bar = overall.querySelector("[data-progress-bar]");
      bar.max = data.total;
      bar.value = data.answered;
    }
    Object.keys(data.clusters || {}).forEach(function (code) {
      var cluster = data.clusters[code];
      document.querySelectorAll('[data-cluster-progress="' + code + '"]').forEach(function (node) {
        node.textContent = format(text.textCluster, { x: cluster.answered, y: cluster.total });
      });
    });
  }

  function save(fieldset) {
    var id = fieldset.dataset.question;
    var status = fieldset.querySelector("[data-status]");
    var checked = fieldset.querySelector('input[type=radio][name="r' + id + '"]:checked');
    var notes = fieldset.querySelector('textarea[name="n' + id + '"]');
    if (!checked) {
      status.textContent = text.textChoose;
      status.className = "status error";
      return;
    }
    var body = new FormData();
    body.append("question", id);
    body.append("answer", checked.value);
    body.append("notes", notes ? notes.value : "");
    body.append("csrfmiddlewaretoken", csrfToken());
    status.textContent = text.textSaving;
    status.className = "status";
    fetch(form.dataset.answerUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    })
      .then(function (response) {
        return response.json().catch(function () {
          return {};
        }).then(function (data) {
          if (!response.ok) {
            throw new Error(data.error || response.statusText);
          }
          return data;
        });
      })
      .then(function (data) {
        var finding = fieldset.querySelector("[data-finding]");
        finding.textContent = data.result_label;
        finding.className = "finding finding-" + data.result;
        fieldset.classList.remove("unanswered");
        setOriginal(id, data.answer, notes ? notes.value.trim() : "");
        status.textContent = text.textSaved;
        status.className = "status ok";
        showProgress(data);
      })
      .catch(function (error) {
        status.textContent = text.textError + (error && error.message ? ": " + error.message : "");
        status.className = "status error";
      });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset || event.target.type === "file") {
      return;
    }
    save(fieldset);
  });

  // A skip link into a closed section opens it.
  function openTarget() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
    }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
