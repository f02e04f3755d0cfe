// Evalyo console: Integrations → API keys. Talks to the console's JSON API (/console/api) with
// the session cookie. A new key's plaintext lives only in the "copy your key" dialog, and is
// wiped from the page when the dialog closes: it is never stored, logged or put in a URL.
"use strict";

(() => {
  const API = "/console/api";
  const PAGE_SIZE = 50;
  const ROTATE_AFTER_DAYS = 90;
  // The seventeen scopes, by resource: [resource, read scope, write scope].
  const RESOURCES = [
    ["Jobs", "jobs:read", "jobs:write"],
    ["Campaigns", "campaigns:read", "campaigns:write"],
    ["Stages", "stages:read", "stages:write"],
    ["Candidates", "candidates:read", "candidates:write"],
    ["Interviews", "interviews:read", "interviews:write"],
    ["Agents", "agents:read", "agents:write"],
    ["Tests", "tests:read", "tests:write"],
    ["Reports", "reports:read", null],
    ["Webhooks", "webhooks:read", "webhooks:write"],
  ];

  const $ = (id) => document.getElementById(id);
  const state = {
    page: 1, totalPages: 1, keys: [], revoking: null, rolling: null, openMenu: null, status: "", search: "", organization: "",
    session: null, challenge: null,
  };
  // Roles from most to least trusted; the server checks every call, the page only hides what a role cannot do.
  const ROLES = ["OWNER", "ADMIN", "DEVELOPER", "VIEWER"];
  const atLeast = (role) => state.session && ROLES.indexOf(state.session.user.role) <= ROLES.indexOf(role);
  const CRUMBS = {
    "keys-view": ["Integrations", "API keys"], "webhooks-view": ["Integrations", "Webhooks"], "members-view": ["Organization", "Members"],
    "security-view": ["Your account", "Security"], "audit-view": ["Organization", "Audit log"],
  };
  const VIEWS = ["loading", "sign-in-view", "accept-view", "keys-view", "webhooks-view", "members-view", "security-view", "audit-view"];

  /** A failure the page explains to the person in front of it. */
  class ConsoleError extends Error {
    constructor(message, status, details, code) {
      super(message);
      this.status = status;
      this.details = details || [];
      this.code = code || "";
    }
  }

  /** Calls the console API; throws a ConsoleError with a readable message on any failure. */
  async function call(method, path, body) {
    let response;
    try {
      response = await fetch(API + path, {
        method,
        credentials: "same-origin",
        cache: "no-store",
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      throw new ConsoleError("Cannot reach Evalyo. Check your connection and try again.", 0);
    }
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
    if (response.ok) return json;
    const error = (json && json.error) || {};
    if (response.status === 401 && !path.startsWith("/session") && path !== "/invitations/accept") {
      throw new ConsoleError("Your session has expired. Sign in again to continue.", 401);
    }
    if (response.status >= 500) {
      throw new ConsoleError("Evalyo is unavailable right now. Try again in a moment.", response.status);
    }
    throw new ConsoleError(error.message || `The request failed (HTTP ${response.status}).`, response.status, error.details, error.code);
  }

  // ---- messages -------------------------------------------------------------------------------

  function notify(message, kind) {
    $("notice-text").textContent = message;
    $("notice").classList.toggle("ok", kind === "ok");
    $("notice").setAttribute("role", kind === "ok" ? "status" : "alert");
    $("notice").hidden = false;
  }

  function clearNotice() {
    $("notice").hidden = true;
    $("notice-text").textContent = "";
  }

  /** Shows an error in a form's error line, or as the page notice; a 401 returns to sign-in. */
  function report(error, line) {
    if (error instanceof ConsoleError && error.status === 401) {
      closeDialogs();
      showSignIn(error.message);
      return;
    }
    const message = error instanceof ConsoleError ? describe(error) : "Something went wrong. Reload the page and try again.";
    if (line) {
      line.textContent = message;
      line.hidden = false;
    } else {
      notify(message);
    }
  }

  function describe(error) {
    if (!error.details.length) return error.message;
    return error.message + " " + error.details.map((d) => `${d.field}: ${d.message}.`).join(" ");
  }

  // ---- views ----------------------------------------------------------------------------------

  function showView(id) {
    for (const view of VIEWS) $(view).hidden = view !== id;
    for (const tab of $("tabs").querySelectorAll("button")) {
      if (tab.dataset.view === id) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
    }
    // API keys are under Integrations; the other pages are the organization's.
    const crumb = CRUMBS[id];
    if (crumb) {
      $("crumb-section").textContent = crumb[0];
      $("crumb-page").textContent = crumb[1];
      document.title = `${crumb[1]} · Evalyo console`;
    }
    if (window.EvalyoWebhooks && state.session && id === "webhooks-view") window.EvalyoWebhooks.show(id);
    else if (window.EvalyoPeople && state.session && id !== "keys-view") window.EvalyoPeople.show(id);
  }

  function showSignIn(message) {
    $("account").hidden = true;
    $("tabs").hidden = true;
    state.session = null;
    state.challenge = null;
    $("sign-in-form").hidden = false;
    $("code-form").hidden = true;
    state.keys = [];
    $("keys-body").replaceChildren();
    showView("sign-in-view");
    const line = $("sign-in-error");
    line.textContent = message || "";
    line.hidden = !message;
    $("email").focus();
  }

  /** Signed in: the tabs and what the member's role offers; a member their organization
   * requires two-factor of, and who has none yet, sees only where to turn it on. */
  async function showConsole(session) {
    state.session = session;
    $("account-label").textContent = `${session.user.email} · ${session.user.role} · ${session.organization.name}`;
    state.organization = session.organization.name;
    $("account").hidden = false;
    $("tabs").hidden = false;
    $("open-create").hidden = !atLeast("DEVELOPER");
    $("open-revoke-all").hidden = !atLeast("ADMIN");
    if (session.organization.requireTwoFactor && !session.user.twoFactorEnabled) {
      $("tabs").hidden = true;
      showView("security-view");
      notify("Your organization requires two-factor sign-in: turn it on to use the console.");
      return;
    }
    showView("keys-view");
    await loadKeys();
  }

  /** Whether the member may roll, rename or revoke `key`: an ADMIN any, a DEVELOPER their own. */
  function mayChange(key) {
    return atLeast("ADMIN") || (atLeast("DEVELOPER") && key.createdBy === state.session.user.email);
  }

  async function start() {
    const invitation = /^#invitation=([A-Za-z0-9_-]{1,128})$/.exec(location.hash);
    if (invitation) {
      state.invitation = invitation[1];
      // The token stays out of the history and of anything the page shows.
      history.replaceState(null, "", location.pathname);
      showView("accept-view");
      $("accept-password").focus();
      return;
    }
    try {
      const session = await call("GET", "/session");
      await showConsole(session);
    } catch (error) {
      if (error instanceof ConsoleError && error.status === 401) showSignIn();
      else { showSignIn(); report(error); }
    }
  }

  // ---- sign in and out ------------------------------------------------------------------------

  async function signIn(event) {
    event.preventDefault();
    const email = $("email").value.trim();
    const password = $("password").value;
    const line = $("sign-in-error");
    line.hidden = true;
    if (!email || !password) {
      line.textContent = "Enter your email and password.";
      line.hidden = false;
      return;
    }
    const button = event.submitter || $("sign-in-form").querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const session = await call("POST", "/session", { email, password });
      $("password").value = "";
      clearNotice();
      if (session.twoFactorRequired) {
        state.challenge = session.challenge;
        $("sign-in-form").hidden = true;
        $("code-form").hidden = false;
        $("sign-in-code").focus();
        return;
      }
      await showConsole(session);
      $("main").focus();
    } catch (error) {
      if (error instanceof ConsoleError && error.status === 401) {
        line.textContent = "The email or password is not right.";
        line.hidden = false;
      } else {
        report(error, line);
      }
    } finally {
      button.disabled = false;
    }
  }

  /** The second step: a code for the challenge the password earned. */
  async function verifyCode(event) {
    event.preventDefault();
    const line = $("code-error");
    line.hidden = true;
    const code = $("sign-in-code").value.trim();
    if (!code) { line.textContent = "Enter the code from your app."; line.hidden = false; return; }
    try {
      const session = await call("POST", "/session/two-factor", { challenge: state.challenge, code });
      $("sign-in-code").value = "";
      state.challenge = null;
      await showConsole(session);
      $("main").focus();
    } catch (error) {
      if (error instanceof ConsoleError && error.code === "CHALLENGE_EXPIRED") {
        showSignIn("That sign-in expired or had too many wrong codes. Sign in again.");
      } else if (error instanceof ConsoleError && error.status === 401) {
        line.textContent = "That code is not right, or was used already.";
        line.hidden = false;
      } else {
        report(error, line);
      }
    }
  }

  /** Joins with an invitation: a password, then signed in. */
  async function accept(event) {
    event.preventDefault();
    const line = $("accept-error");
    line.hidden = true;
    const password = $("accept-password").value;
    if (password.length < 8) { line.textContent = "Choose a password of at least 8 characters."; line.hidden = false; return; }
    try {
      const session = await call("POST", "/invitations/accept", { token: state.invitation, password });
      state.invitation = null;
      $("accept-password").value = "";
      await showConsole(session);
    } catch (error) {
      report(error, line);
    }
  }

  async function signOut() {
    try {
      await call("DELETE", "/session");
    } catch (error) {
      if (!(error instanceof ConsoleError && error.status === 401)) { report(error); return; }
    }
    clearNotice();
    showSignIn();
  }

  // ---- the list ---------------------------------------------------------------------------------

  async function loadKeys() {
    try {
      const query = new URLSearchParams({ page: state.page, pageSize: PAGE_SIZE });
      if (state.status) query.set("status", state.status);
      if (state.search) query.set("search", state.search);
      const answer = await call("GET", `/keys?${query}`);
      state.keys = answer.data;
      state.totalPages = (answer.pagination && answer.pagination.totalPages) || 1;
      if (state.page > state.totalPages && state.totalPages > 0) {
        state.page = state.totalPages;
        return loadKeys();
      }
      renderKeys();
    } catch (error) {
      report(error);
    }
  }

  /** "in 23 hours", "in 6 days", "in 40 seconds": when an expiring key stops working. */
  function formatIn(iso) {
    const seconds = Math.max(0, (new Date(iso).getTime() - Date.now()) / 1000);
    if (seconds < 90) return `in ${Math.round(seconds)} seconds`;
    if (seconds < 5400) return `in ${Math.round(seconds / 60)} minutes`;
    if (seconds < 86400 * 2) return `in ${Math.round(seconds / 3600)} hours`;
    return `in ${Math.round(seconds / 86400)} days`;
  }

  function formatDate(iso) {
    return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
  }

  function formatAgo(iso) {
    if (!iso) return "Never";
    const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
    if (seconds < 90) return "Just now";
    if (seconds < 3600) return `${Math.round(seconds / 60)} minutes ago`;
    if (seconds < 86400 * 2) return `${Math.round(seconds / 3600)} hours ago`;
    return formatDate(iso);
  }

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "class") node.className = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function renderKeys() {
    const body = $("keys-body");
    body.replaceChildren(...state.keys.map(renderRow));
    const filtered = Boolean(state.status || state.search);
    $("keys-empty").hidden = state.keys.length > 0 || filtered;
    $("keys-none-match").hidden = state.keys.length > 0 || !filtered;
    $("keys-table").parentElement.hidden = state.keys.length === 0;
    $("pager").hidden = state.totalPages <= 1;
    $("page-info").textContent = `Page ${state.page} of ${state.totalPages}`;
    $("page-previous").disabled = state.page <= 1;
    $("page-next").disabled = state.page >= state.totalPages;
  }

  const STATUS_LABELS = { ACTIVE: "Active", EXPIRING: "Expiring", EXPIRED: "Expired", REVOKED: "Revoked" };

  function renderRow(key) {
    // A key listed as expiring may have expired since the list was read.
    const status = key.status === "EXPIRING" && new Date(key.expiresAt).getTime() <= Date.now() ? "EXPIRED" : key.status;
    const finished = status === "REVOKED" || status === "EXPIRED";
    const ageDays = (Date.now() - new Date(key.createdAt).getTime()) / 86400000;
    const cell = element("td", { "data-label": "Status" },
      element("span", { class: `status ${status.toLowerCase()}` }, STATUS_LABELS[status] || status));
    if (status === "REVOKED" && key.revocationReason === "LEAKED") {
      cell.append(element("span", { class: "by" }, `Leaked · ${formatDate(key.revokedAt)}`));
      // Only a web address is a link; the text is the reporter's, never markup.
      if (/^https?:\/\//i.test(key.leakUrl || "")) {
        cell.append(element("a", { class: "leak", href: key.leakUrl, target: "_blank", rel: "noopener noreferrer nofollow" }, "Where it was found"));
      }
    } else if (status === "REVOKED") {
      cell.append(element("span", { class: "by" }, key.revocationReason === "REVOKED_ALL" ? `All keys revoked · ${formatDate(key.revokedAt)}` : formatDate(key.revokedAt)));
    } else if (status === "EXPIRED") {
      cell.append(element("span", { class: "by" }, formatDate(key.expiresAt)));
    } else if (status === "EXPIRING") {
      cell.append(element("span", { class: "expires", title: "Rolled: a successor replaces it. It stops working then." }, `Expires ${formatIn(key.expiresAt)}`));
    } else if (ageDays > ROTATE_AFTER_DAYS) {
      cell.append(element("span", { class: "rotate", title: "Keys are best rotated every quarter: roll it from the ... menu, deploy the new key, then let this one expire." },
        "Older than 90 days: consider rolling it"));
    }
    const menuCell = element("td", { class: "menu-cell" });
    if (!finished && mayChange(key)) menuCell.append(rowMenu(key, status));
    return element("tr", { class: finished ? "revoked" : status.toLowerCase(), "data-key-id": key.id, "data-status": status },
      element("td", { "data-label": "Name" }, element("strong", {}, key.name)),
      element("td", { "data-label": "Key" }, element("code", {}, key.prefix + "…")),
      element("td", { "data-label": "Scopes" }, element("div", { class: "scopes" }, ...key.scopes.map((s) => element("span", { class: "scope" }, s)))),
      element("td", { "data-label": "Created" }, formatDate(key.createdAt), element("span", { class: "by" }, key.createdBy ? `by ${key.createdBy}` : "")),
      element("td", { "data-label": "Last used" }, formatAgo(key.lastUsedAt)),
      cell,
      menuCell,
    );
  }

  // ---- the row's "..." menu ------------------------------------------------------------------

  function rowMenu(key, status) {
    const menuId = `menu-${key.id}`;
    const toggle = element("button", {
      type: "button", "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": menuId,
      "aria-label": `Actions for key ${key.name}`, class: "menu-toggle",
    }, "...");
    const revoke = element("button", { type: "button", role: "menuitem", class: "revoke-item" }, "Revoke…");
    const items = [];
    // An expiring key already has its successor: it can only be revoked.
    if (status === "ACTIVE") {
      const roll = element("button", { type: "button", role: "menuitem", class: "roll-item" }, "Roll key…");
      roll.addEventListener("click", () => { closeMenu(); askRoll(key, toggle); });
      items.push(element("li", { role: "none" }, roll));
    }
    items.push(element("li", { role: "none" }, revoke));
    const menu = element("ul", { role: "menu", id: menuId, hidden: "" }, ...items);
    toggle.addEventListener("click", () => (menu.hidden ? openMenu(toggle, menu) : closeMenu()));
    toggle.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") { event.preventDefault(); openMenu(toggle, menu); }
    });
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" || event.key === "Tab") { closeMenu(); if (event.key === "Escape") toggle.focus(); }
    });
    revoke.addEventListener("click", () => { closeMenu(); askRevoke(key, toggle); });
    return element("div", { class: "row-menu" }, toggle, menu);
  }

  function openMenu(toggle, menu) {
    closeMenu();
    menu.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    state.openMenu = { toggle, menu };
    menu.querySelector("[role=menuitem]").focus();
  }

  function closeMenu() {
    if (!state.openMenu) return;
    state.openMenu.menu.hidden = true;
    state.openMenu.toggle.setAttribute("aria-expanded", "false");
    state.openMenu = null;
  }

  // ---- rolling -----------------------------------------------------------------------------------

  function askRoll(key, returnFocusTo) {
    state.rolling = { key, returnFocusTo };
    $("roll-form").reset();
    $("roll-name").textContent = key.name;
    $("roll-prefix").textContent = key.prefix;
    $("roll-error").hidden = true;
    $("roll-dialog").showModal();
    $("roll-form").querySelector("input[name=roll-expiry]:checked").focus();
  }

  async function confirmRoll(event) {
    event.preventDefault();
    const { key } = state.rolling || {};
    if (!key) return;
    const choice = $("roll-form").querySelector("input[name=roll-expiry]:checked");
    const expiresInSeconds = Number(choice ? choice.value : 86400);
    const button = $("confirm-roll");
    button.disabled = true;
    try {
      const successor = await call("POST", `/keys/${encodeURIComponent(key.id)}/roll`, { expiresInSeconds });
      state.rolling = null;
      $("roll-dialog").close();
      showSecret(successor);
      await loadKeys();
      notify(expiresInSeconds === 0
        ? `The key “${key.name}” was rolled and no longer works. Use its successor.`
        : `The key “${key.name}” was rolled. It stops working ${formatIn(new Date(Date.now() + expiresInSeconds * 1000).toISOString())}; deploy its successor before then.`, "ok");
    } catch (error) {
      report(error, $("roll-error"));
    } finally {
      button.disabled = false;
    }
  }

  // ---- revoking everything ------------------------------------------------------------------------

  function openRevokeAll() {
    $("revoke-all-form").reset();
    $("revoke-all-org").textContent = state.organization;
    $("revoke-all-error").hidden = true;
    $("revoke-all-dialog").showModal();
    $("revoke-all-confirm").focus();
  }

  async function confirmRevokeAll(event) {
    event.preventDefault();
    const line = $("revoke-all-error");
    line.hidden = true;
    const confirm = $("revoke-all-confirm").value.trim();
    if (confirm !== state.organization) {
      line.textContent = `Type “${state.organization}” exactly to revoke every key.`;
      line.hidden = false;
      return;
    }
    const button = $("confirm-revoke-all");
    button.disabled = true;
    try {
      const answer = await call("POST", "/keys/revoke-all", { confirm });
      $("revoke-all-dialog").close();
      await loadKeys();
      notify(`${answer.revoked} ${answer.revoked === 1 ? "key was" : "keys were"} revoked. Requests made with them are now refused.`, "ok");
    } catch (error) {
      report(error, line);
    } finally {
      button.disabled = false;
    }
  }

  // ---- revoking ----------------------------------------------------------------------------------

  function askRevoke(key, returnFocusTo) {
    state.revoking = { key, returnFocusTo };
    $("revoke-name").textContent = key.name;
    $("revoke-prefix").textContent = key.prefix;
    $("revoke-error").hidden = true;
    $("revoke-dialog").showModal();
    $("cancel-revoke").focus();
  }

  async function confirmRevoke() {
    const { key } = state.revoking || {};
    if (!key) return;
    const button = $("confirm-revoke");
    button.disabled = true;
    try {
      const revoked = await call("POST", `/keys/${encodeURIComponent(key.id)}/revoke`);
      state.keys = state.keys.map((k) => (k.id === revoked.id ? revoked : k));
      renderKeys();
      $("revoke-dialog").close();
      notify(`The key “${revoked.name}” is revoked. Requests made with it are now refused.`, "ok");
      $("keys-title").focus();
    } catch (error) {
      report(error, $("revoke-error"));
    } finally {
      button.disabled = false;
    }
  }

  // ---- creating ------------------------------------------------------------------------------------

  function scopeCheckbox(scope, resource, kind) {
    if (!scope) return element("td", {}, element("span", { class: "hint", "aria-hidden": "true" }, "—"));
    const id = `scope-${scope.replace(":", "-")}`;
    return element("td", {},
      element("label", { for: id },
        element("input", { type: "checkbox", id, name: "scopes", value: scope }),
        element("span", { class: "visually-hidden" }, `${kind} ${resource.toLowerCase()} (`),
        element("code", {}, scope),
        element("span", { class: "visually-hidden" }, ")"),
      ));
  }

  function buildScopeRows() {
    $("scope-rows").replaceChildren(...RESOURCES.map(([resource, read, write]) =>
      element("tr", {}, element("th", { scope: "row" }, resource), scopeCheckbox(read, resource, "Read"), scopeCheckbox(write, resource, "Write"))));
  }

  function openCreate() {
    $("create-form").reset();
    $("create-error").hidden = true;
    $("key-name").removeAttribute("aria-invalid");
    $("create-dialog").showModal();
    $("key-name").focus();
  }

  async function create(event) {
    event.preventDefault();
    const line = $("create-error");
    line.hidden = true;
    const name = $("key-name").value.trim();
    const scopes = [...$("create-form").querySelectorAll("input[name=scopes]:checked")].map((box) => box.value);
    if (!name) {
      $("key-name").setAttribute("aria-invalid", "true");
      line.textContent = "Give the key a name.";
      line.hidden = false;
      $("key-name").focus();
      return;
    }
    $("key-name").removeAttribute("aria-invalid");
    if (!scopes.length) {
      line.textContent = "Tick at least one scope.";
      line.hidden = false;
      return;
    }
    const button = $("submit-create");
    button.disabled = true;
    try {
      const created = await call("POST", "/keys", { name, scopes });
      $("create-dialog").close();
      showSecret(created);
      const { key: _secret, ...listed } = created;
      state.page = 1;
      await loadKeys();
      if (!state.keys.some((k) => k.id === listed.id)) { state.keys.unshift(listed); renderKeys(); }
    } catch (error) {
      report(error, line);
    } finally {
      button.disabled = false;
    }
  }

  // ---- the one-time secret ---------------------------------------------------------------------

  function showSecret(created) {
    $("secret-name").textContent = created.name;
    $("secret-value").value = created.key;
    $("copy-status").textContent = "";
    $("secret-dialog").showModal();
    $("secret-value").focus();
    $("secret-value").select();
  }

  async function copySecret() {
    const field = $("secret-value");
    let copied = false;
    try {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    } catch (_) {
      field.focus();
      field.select();
      try { copied = document.execCommand("copy"); } catch (_) { copied = false; }
    }
    $("copy-status").textContent = copied ? "Copied to the clipboard." : "Copying is blocked here: select the key and copy it by hand.";
  }

  /** Wipes the plaintext from the page whenever the dialog closes, however it closes. */
  function forgetSecret() {
    $("secret-value").value = "";
    $("copy-status").textContent = "";
    $("open-create").focus();
  }

  function closeDialogs() {
    for (const id of ["create-dialog", "secret-dialog", "revoke-dialog", "roll-dialog", "revoke-all-dialog", "endpoint-dialog", "webhook-secret-dialog"]) if ($(id).open) $(id).close();
  }

  /** When a row's dialog closes, however it closes, the focus goes back to the row's menu button. */
  function returnFocusOnClose(dialogId, stateKey) {
    $(dialogId).addEventListener("close", () => {
      const back = state[stateKey] && state[stateKey].returnFocusTo;
      state[stateKey] = null;
      if (back && back.isConnected) back.focus();
    });
  }

  // ---- wiring ----------------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    buildScopeRows();
    $("sign-in-form").addEventListener("submit", signIn);
    $("code-form").addEventListener("submit", verifyCode);
    $("accept-form").addEventListener("submit", accept);
    for (const tab of $("tabs").querySelectorAll("button")) {
      tab.addEventListener("click", () => (tab.dataset.view === "keys-view" ? (showView("keys-view"), loadKeys()) : showView(tab.dataset.view)));
    }
    $("sign-out").addEventListener("click", signOut);
    $("notice-close").addEventListener("click", clearNotice);
    $("open-create").addEventListener("click", openCreate);
    $("cancel-create").addEventListener("click", () => $("create-dialog").close());
    $("create-form").addEventListener("submit", create);
    // Ticking a scope answers "tick at least one scope".
    $("scope-rows").addEventListener("change", () => { $("create-error").hidden = true; });
    $("copy-secret").addEventListener("click", copySecret);
    $("close-secret").addEventListener("click", () => $("secret-dialog").close());
    $("secret-dialog").addEventListener("close", forgetSecret);
    $("cancel-revoke").addEventListener("click", () => $("revoke-dialog").close());
    $("confirm-revoke").addEventListener("click", confirmRevoke);
    returnFocusOnClose("revoke-dialog", "revoking");
    $("open-revoke-all").addEventListener("click", openRevokeAll);
    $("cancel-revoke-all").addEventListener("click", () => $("revoke-all-dialog").close());
    $("revoke-all-form").addEventListener("submit", confirmRevokeAll);
    $("revoke-all-confirm").addEventListener("input", () => { $("revoke-all-error").hidden = true; });
    $("cancel-roll").addEventListener("click", () => $("roll-dialog").close());
    $("roll-form").addEventListener("submit", confirmRoll);
    returnFocusOnClose("roll-dialog", "rolling");
    $("filters").addEventListener("submit", (event) => event.preventDefault());
    $("filter-status").addEventListener("change", () => { state.status = $("filter-status").value; state.page = 1; loadKeys(); });
    let searchTimer = null;
    $("filter-search").addEventListener("input", () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => { state.search = $("filter-search").value.trim(); state.page = 1; loadKeys(); }, 250);
    });
    $("page-previous").addEventListener("click", () => { state.page -= 1; loadKeys(); });
    $("page-next").addEventListener("click", () => { state.page += 1; loadKeys(); });
    document.addEventListener("click", (event) => {
      if (state.openMenu && !state.openMenu.menu.parentElement.contains(event.target)) closeMenu();
    });
    start();
  });

  // What people.js (members, security, audit log) shares with this page.
  window.EvalyoConsole = {
    $, call, element, formatDate, formatAgo, report, notify, clearNotice, ConsoleError, ROLES, atLeast,
    session: () => state.session,
    refresh: async () => showConsole(await call("GET", "/session")),
  };
})();
