// Evalyo console: Integrations → Webhooks. Endpoints, their deliveries and signing secrets, through
// the same resource as /api/v1/webhook-endpoints. Shares console.js's helpers (window.EvalyoConsole).
// A signing secret lives only in its dialog and is wiped when the dialog closes.
"use strict";

(() => {
  const C = window.EvalyoConsole;
  const { $, call, element, formatDate, report, notify } = C;
  const EVENT_TYPES = ["interview.started", "interview.completed", "interview.cancelled", "assignment.completed", "report.created",
    "campaign.candidate_moved"];
  let endpoints = [];
  let shown = null;

  async function show() {
    try {
      await loadEndpoints();
      if (shown) await loadDeliveries(shown);
    } catch (error) {
      report(error);
    }
  }

  /** Managing endpoints is an ADMIN's; anyone may look. The server refuses the rest anyway. */
  const mayManage = () => C.atLeast("ADMIN");

  function statusCell(endpoint) {
    const text = endpoint.status === "ENABLED" ? "Enabled"
      : endpoint.disabledReason === "GONE" ? "Disabled: the receiver answered 410 Gone"
      : endpoint.disabledReason === "FAILING" ? "Disabled: every attempt failed for 5 days" : "Disabled";
    return element("span", { class: `status ${endpoint.status === "ENABLED" ? "active" : "revoked"}` }, text);
  }

  async function loadEndpoints() {
    endpoints = (await call("GET", "/webhook-endpoints?pageSize=100")).data;
    $("open-add-endpoint").hidden = !mayManage();
    $("endpoints-body").replaceChildren(...endpoints.map((endpoint) => {
      const actions = element("td", { class: "menu-cell" });
      const deliveries = element("button", { type: "button" }, "Deliveries");
      deliveries.addEventListener("click", () => openDeliveries(endpoint));
      actions.append(deliveries);
      if (mayManage()) {
        const buttons = [
          ["Send test", () => sendTest(endpoint)],
          ["Roll secret", () => rollSecret(endpoint)],
          [endpoint.status === "ENABLED" ? "Disable" : "Enable", () => toggle(endpoint)],
        ].map(([label, action]) => {
          const button = element("button", { type: "button", "data-action": label.toLowerCase().replace(" ", "-") }, label);
          button.addEventListener("click", action);
          return button;
        });
        const remove = element("button", { type: "button", class: "danger-quiet" }, "Delete");
        remove.addEventListener("click", () => removeEndpoint(endpoint));
        actions.append(...buttons, remove);
      }
      return element("tr", { "data-endpoint-id": endpoint.id },
        element("td", { "data-label": "URL" }, element("strong", { class: "url" }, endpoint.url),
          endpoint.description ? element("span", { class: "by" }, endpoint.description) : null,
          element("span", { class: "by" }, element("code", {}, endpoint.secretPrefix + "…"))),
        element("td", { "data-label": "Events" }, endpoint.eventTypes.length ? endpoint.eventTypes.join(", ") : "Every event"),
        element("td", { "data-label": "Status" }, statusCell(endpoint)),
        element("td", { "data-label": "Created" }, formatDate(endpoint.createdAt)),
        actions);
    }));
    $("endpoints-table").parentElement.hidden = endpoints.length === 0;
    $("endpoints-empty").hidden = endpoints.length > 0;
  }

  function openAdd() {
    $("endpoint-form").reset();
    $("endpoint-error").hidden = true;
    $("event-types").replaceChildren(...EVENT_TYPES.map((type) => element("label", { class: "checkbox" },
      element("input", { type: "checkbox", value: type, id: `event-${type.replace(/[._]/g, "-")}` }), " ", element("code", {}, type))));
    $("endpoint-dialog").showModal();
    $("endpoint-url").focus();
  }

  async function addEndpoint(event) {
    event.preventDefault();
    const line = $("endpoint-error");
    line.hidden = true;
    const url = $("endpoint-url").value.trim();
    if (!url) { line.textContent = "Enter the URL Evalyo should call."; line.hidden = false; return; }
    const eventTypes = [...$("event-types").querySelectorAll("input:checked")].map((box) => box.value);
    const description = $("endpoint-description").value.trim();
    try {
      const created = await call("POST", "/webhook-endpoints", { url, eventTypes, ...(description ? { description } : {}) });
      $("endpoint-dialog").close();
      showSecret(created);
    } catch (error) {
      report(error, line);
    }
  }

  function showSecret(endpoint) {
    $("webhook-secret-url").textContent = endpoint.url;
    $("webhook-secret-value").value = endpoint.secret;
    $("webhook-secret-dialog").showModal();
    $("webhook-secret-value").select();
  }

  async function sendTest(endpoint) {
    try {
      await call("POST", `/webhook-endpoints/${endpoint.id}/test`);
      notify(`A webhook.test event is on its way to ${endpoint.url}.`, "ok");
      await openDeliveries(endpoint);
    } catch (error) {
      report(error);
    }
  }

  async function rollSecret(endpoint) {
    if (!window.confirm(`Roll the secret of ${endpoint.url}? The old secret keeps signing beside the new one for 24 hours.`)) return;
    try {
      showSecret(await call("POST", `/webhook-endpoints/${endpoint.id}/roll-secret`, { expiresInSeconds: 86400 }));
    } catch (error) {
      report(error);
    }
  }

  async function toggle(endpoint) {
    try {
      await call("PATCH", `/webhook-endpoints/${endpoint.id}`, { status: endpoint.status === "ENABLED" ? "DISABLED" : "ENABLED" });
    } catch (error) {
      report(error);
    }
    await show();
  }

  async function removeEndpoint(endpoint) {
    if (!window.confirm(`Delete the endpoint ${endpoint.url}? Nothing more is sent to it.`)) return;
    try {
      await call("DELETE", `/webhook-endpoints/${endpoint.id}`);
      if (shown && shown.id === endpoint.id) closeDeliveries();
      notify(`${endpoint.url} was deleted.`, "ok");
    } catch (error) {
      report(error);
    }
    await show();
  }

  // ---- deliveries ----------------------------------------------------------------------------

  async function openDeliveries(endpoint) {
    shown = endpoint;
    $("deliveries-url").textContent = endpoint.url;
    $("recover-form").hidden = !mayManage();
    $("deliveries-panel").hidden = false;
    await loadDeliveries(endpoint);
  }

  function closeDeliveries() {
    shown = null;
    $("deliveries-panel").hidden = true;
  }

  function attemptText(attempt) {
    const answer = attempt.responseStatus === null ? "no answer" : `HTTP ${attempt.responseStatus}`;
    return `${new Date(attempt.attemptedAt).toLocaleTimeString()} · ${answer} · ${attempt.durationMs} ms${attempt.error ? ` · ${attempt.error}` : ""}`;
  }

  async function loadDeliveries(endpoint) {
    const deliveries = (await call("GET", `/webhook-endpoints/${endpoint.id}/deliveries?pageSize=50`)).data;
    $("deliveries-body").replaceChildren(...deliveries.map((delivery) => {
      const cell = element("td", { class: "menu-cell" });
      if (mayManage()) {
        const retry = element("button", { type: "button" }, "Send again");
        retry.addEventListener("click", () => retryDelivery(endpoint, delivery));
        cell.append(retry);
      }
      const status = delivery.status === "PENDING" && delivery.nextAttemptAt
        ? `PENDING, next at ${new Date(delivery.nextAttemptAt).toLocaleTimeString()}` : delivery.status;
      return element("tr", { "data-delivery-id": delivery.id, "data-status": delivery.status },
        element("td", { "data-label": "Event" }, element("code", {}, delivery.eventType), element("span", { class: "by" }, delivery.eventId)),
        element("td", { "data-label": "Status" }, element("span", { class: `status ${delivery.status === "SUCCEEDED" ? "active" : delivery.status === "FAILED" ? "revoked" : "expiring"}` }, status)),
        element("td", { "data-label": "Attempts" }, element("ol", { class: "attempts" }, ...delivery.attempts.map((attempt) => element("li", {}, attemptText(attempt))))),
        element("td", { "data-label": "Created" }, new Date(delivery.createdAt).toLocaleString()),
        cell);
    }));
    $("deliveries-table").parentElement.hidden = deliveries.length === 0;
    $("deliveries-empty").hidden = deliveries.length > 0;
  }

  async function retryDelivery(endpoint, delivery) {
    try {
      await call("POST", `/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}/retry`);
      notify("The message is being sent again.", "ok");
    } catch (error) {
      report(error);
    }
    await loadDeliveries(endpoint);
  }

  async function recover(event) {
    event.preventDefault();
    if (!shown || !$("recover-since").value) return;
    try {
      const since = new Date($("recover-since").value).toISOString();
      const answer = await call("POST", `/webhook-endpoints/${shown.id}/recover`, { since });
      notify(`${answer.queued} failed message${answer.queued === 1 ? " is" : "s are"} being sent again.`, "ok");
      await loadDeliveries(shown);
    } catch (error) {
      report(error);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("open-add-endpoint").addEventListener("click", openAdd);
    $("cancel-endpoint").addEventListener("click", () => $("endpoint-dialog").close());
    $("endpoint-form").addEventListener("submit", addEndpoint);
    $("copy-webhook-secret").addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText($("webhook-secret-value").value));
    $("close-webhook-secret").addEventListener("click", () => $("webhook-secret-dialog").close());
    $("webhook-secret-dialog").addEventListener("close", () => { $("webhook-secret-value").value = ""; show(); });
    $("close-deliveries").addEventListener("click", closeDeliveries);
    $("recover-form").addEventListener("submit", recover);
  });

  window.EvalyoWebhooks = { show };
})();
