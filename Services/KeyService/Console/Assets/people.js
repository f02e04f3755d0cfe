// Evalyo console: members and invitations, security (two-factor sign-in, sessions, password)
// and the audit log. Shares console.js's helpers (window.EvalyoConsole). An invitation's link
// and the recovery codes live only in their dialogs and are wiped when those close.
"use strict";

(() => {
  const C = window.EvalyoConsole;
  const { $, call, element, formatDate, formatAgo, report, notify } = C;
  const EVENT_TYPES = [
    "api_key.created", "api_key.renamed", "api_key.revoked", "key.rolled", "key.expired", "key.leaked",
    "member.invited", "invitation.cancelled", "member.joined", "member.role_changed", "member.removed",
    "two_factor.enabled", "two_factor.disabled", "password.changed", "session.revoked", "organization.updated",
  ];
  let members = [];

  /** "Chrome on Linux" from a User-Agent: what a person recognises a session by. */
  function describeAgent(agent) {
    if (!agent) return "Unknown browser";
    const browser = [[/Edg\//, "Edge"], [/Firefox\//, "Firefox"], [/HeadlessChrome|Chrome\//, "Chrome"], [/Safari\//, "Safari"], [/curl\//, "curl"]]
      .find(([pattern]) => pattern.test(agent));
    const system = [[/Android/, "Android"], [/iPhone|iPad/, "iOS"], [/Windows/, "Windows"], [/Mac OS X/, "macOS"], [/Linux/, "Linux"]]
      .find(([pattern]) => pattern.test(agent));
    if (!browser) return agent.slice(0, 40);
    return system ? `${browser[1]} on ${system[1]}` : browser[1];
  }

  /** The roles a member may give, invite or take away: an OWNER any, an ADMIN DEVELOPER and VIEWER. */
  function manageable() {
    if (C.atLeast("OWNER")) return C.ROLES;
    if (C.atLeast("ADMIN")) return ["DEVELOPER", "VIEWER"];
    return [];
  }

  async function show(view) {
    try {
      if (view === "members-view") await loadMembers();
      if (view === "security-view") await loadSecurity();
      if (view === "audit-view") await loadAudit();
    } catch (error) {
      report(error);
    }
  }

  // ---- members and invitations ---------------------------------------------------------------

  async function loadMembers() {
    members = (await call("GET", "/members")).data;
    const roles = manageable();
    const me = C.session().user;
    $("members-body").replaceChildren(...members.map((member) => {
      const actions = element("td", { class: "menu-cell" });
      if (member.id !== me.id && roles.includes(member.role)) {
        const select = element("select", { "aria-label": `Role of ${member.email}` },
          ...roles.map((role) => { const option = element("option", { value: role }, role); option.selected = role === member.role; return option; }));
        select.addEventListener("change", () => changeRole(member, select.value));
        const remove = element("button", { type: "button", class: "danger-quiet" }, "Remove");
        remove.addEventListener("click", () => removeMember(member));
        actions.append(select, remove);
      }
      return element("tr", { "data-member-id": member.id },
        element("td", { "data-label": "Email" }, element("strong", {}, member.email), member.id === me.id ? element("span", { class: "by" }, "you") : null),
        element("td", { "data-label": "Role" }, element("span", { class: `role ${member.role.toLowerCase()}` }, member.role)),
        element("td", { "data-label": "Two-factor" }, member.twoFactorEnabled ? "On" : "Off"),
        element("td", { "data-label": "Joined" }, formatDate(member.joinedAt)),
        element("td", { "data-label": "Last sign-in" }, formatAgo(member.lastSignInAt)),
        actions);
    }));
    $("invite-form").hidden = roles.length === 0;
    $("invite-role").replaceChildren(...roles.slice().reverse().map((role) => element("option", { value: role }, role)));
    const invitations = (await call("GET", "/invitations")).data;
    $("invitations-body").replaceChildren(...invitations.map((invitation) => {
      const cell = element("td", { class: "menu-cell" });
      if (roles.includes(invitation.role)) {
        const cancel = element("button", { type: "button", class: "danger-quiet" }, "Cancel");
        cancel.addEventListener("click", () => cancelInvitation(invitation));
        cell.append(cancel);
      }
      return element("tr", {}, element("td", { "data-label": "Email" }, invitation.email), element("td", { "data-label": "Role" }, invitation.role),
        element("td", { "data-label": "Expires" }, formatDate(invitation.expiresAt)), cell);
    }));
    $("invitations-table").parentElement.hidden = invitations.length === 0;
    $("invitations-empty").hidden = invitations.length > 0;
  }

  async function changeRole(member, role) {
    try {
      await call("PATCH", `/members/${member.id}`, { role });
      notify(`${member.email} is now ${role}.`, "ok");
    } catch (error) {
      report(error);
    }
    await show("members-view");
  }

  async function removeMember(member) {
    if (!window.confirm(`Remove ${member.email}? Their sessions end at once; the keys they created keep working.`)) return;
    try {
      await call("DELETE", `/members/${member.id}`);
      notify(`${member.email} was removed.`, "ok");
    } catch (error) {
      report(error);
    }
    await show("members-view");
  }

  async function invite(event) {
    event.preventDefault();
    const line = $("invite-error");
    line.hidden = true;
    const email = $("invite-email").value.trim();
    if (!email) { line.textContent = "Enter your colleague's email."; line.hidden = false; return; }
    try {
      const invitation = await call("POST", "/invitations", { email, role: $("invite-role").value });
      $("invite-email").value = "";
      $("invitation-email").textContent = invitation.email;
      $("invitation-url").value = invitation.invitationUrl;
      $("invitation-dialog").showModal();
      $("invitation-url").select();
    } catch (error) {
      report(error, line);
    }
  }

  async function cancelInvitation(invitation) {
    try {
      await call("DELETE", `/invitations/${invitation.id}`);
    } catch (error) {
      report(error);
    }
    await show("members-view");
  }

  // ---- security ------------------------------------------------------------------------------

  async function loadSecurity() {
    const session = C.session();
    const on = session.user.twoFactorEnabled;
    $("two-factor-status").textContent = on
      ? "On: signing in asks for a code from your authenticator app."
      : "Off: your password alone signs you in. Turn it on to protect the keys.";
    $("start-two-factor").hidden = on || !$("enrolment").hidden;
    $("disable-two-factor").hidden = !on || session.organization.requireTwoFactor;
    $("require-two-factor-row").hidden = !C.atLeast("OWNER");
    $("require-two-factor").checked = session.organization.requireTwoFactor;
    const sessions = (await call("GET", "/me/sessions")).data;
    $("sessions-list").replaceChildren(...sessions.map((item) => {
      const end = element("button", { type: "button", class: "quiet" }, item.current ? "Sign out" : "End");
      end.addEventListener("click", () => endSession(item));
      return element("li", { "data-session-id": item.id },
        element("strong", { title: item.userAgent || "" }, item.current ? `This browser (${describeAgent(item.userAgent)})` : describeAgent(item.userAgent)),
        element("span", { class: "by" }, ` ${item.address || ""} · signed in ${formatDate(item.createdAt)} · seen ${formatAgo(item.lastSeenAt)}`), end);
    }));
    $("end-other-sessions").hidden = sessions.length < 2;
  }

  async function startTwoFactor() {
    try {
      const enrolment = await call("POST", "/me/two-factor");
      // The SVG is the server's own drawing (squares only); parsed as SVG, never as HTML.
      const svg = new DOMParser().parseFromString(enrolment.qrCodeSvg, "image/svg+xml").documentElement;
      svg.setAttribute("width", "220");
      svg.setAttribute("height", "220");
      $("qr-code").replaceChildren(document.importNode(svg, true));
      $("qr-code").dataset.otpauth = enrolment.otpauthUrl;
      $("two-factor-secret").textContent = enrolment.secret.replace(/(.{4})/g, "$1 ").trim();
      $("enrolment").hidden = false;
      $("start-two-factor").hidden = true;
      $("confirm-code").focus();
    } catch (error) {
      report(error);
    }
  }

  async function confirmTwoFactor(event) {
    event.preventDefault();
    const line = $("confirm-error");
    line.hidden = true;
    try {
      const answer = await call("POST", "/me/two-factor/confirm", { code: $("confirm-code").value.trim() });
      $("confirm-code").value = "";
      $("enrolment").hidden = true;
      $("qr-code").replaceChildren();
      $("two-factor-secret").textContent = "";
      $("recovery-codes").replaceChildren(...answer.recoveryCodes.map((code) => element("li", {}, element("code", {}, code))));
      $("recovery-dialog").showModal();
    } catch (error) {
      report(error, line);
    }
  }

  async function disableTwoFactor(event) {
    event.preventDefault();
    const line = $("disable-error");
    line.hidden = true;
    try {
      await call("DELETE", "/me/two-factor", { code: $("disable-code").value.trim() });
      $("disable-code").value = "";
      notify("Two-factor sign-in is off.", "ok");
      await C.refresh();
      C.$("tabs").querySelector("[data-view=security-view]").click();
    } catch (error) {
      report(error, line);
    }
  }

  async function setRequirement() {
    try {
      await call("PATCH", "/organization", { requireTwoFactor: $("require-two-factor").checked });
      notify($("require-two-factor").checked ? "Every member now needs two-factor sign-in." : "Two-factor sign-in is now optional.", "ok");
    } catch (error) {
      report(error);
    }
  }

  async function endSession(item) {
    try {
      await call("DELETE", `/me/sessions/${item.id}`);
      if (item.current) { location.reload(); return; }
    } catch (error) {
      report(error);
    }
    await show("security-view");
  }

  async function endOtherSessions() {
    try {
      await call("DELETE", "/me/sessions");
      notify("Every other session of yours has ended.", "ok");
    } catch (error) {
      report(error);
    }
    await show("security-view");
  }

  async function changePassword(event) {
    event.preventDefault();
    const line = $("password-error");
    line.hidden = true;
    try {
      await call("POST", "/me/password", { currentPassword: $("current-password").value, newPassword: $("new-password").value });
      $("current-password").value = "";
      $("new-password").value = "";
      notify("Your password was changed; your other sessions have ended.", "ok");
      await show("security-view");
    } catch (error) {
      report(error, line);
    }
  }

  // ---- the audit log -------------------------------------------------------------------------

  async function loadAudit() {
    if ($("audit-type").options.length === 1) {
      $("audit-type").append(...EVENT_TYPES.map((type) => element("option", { value: type }, type)));
    }
    const everyone = (await call("GET", "/members")).data;
    const chosen = $("audit-actor").value;
    $("audit-actor").replaceChildren(element("option", { value: "" }, "Everyone"),
      ...everyone.map((member) => { const option = element("option", { value: member.id }, member.email); option.selected = member.id === chosen; return option; }));
    const query = new URLSearchParams({ pageSize: 100 });
    if ($("audit-type").value) query.set("type", $("audit-type").value);
    if ($("audit-actor").value) query.set("actor", $("audit-actor").value);
    const events = (await call("GET", `/audit-events?${query}`)).data;
    $("audit-body").replaceChildren(...events.map((event) => {
      const details = Object.entries(event.details || {}).map(([name, value]) => `${name}: ${value}`).join(", ");
      const on = event.subject || (event.apiKeyId ? `key ${event.apiKeyId.slice(0, 8)}…` : "");
      return element("tr", { "data-action": event.action },
        element("td", { "data-label": "When" }, new Date(event.createdAt).toLocaleString()),
        element("td", { "data-label": "Who" }, event.actor || "Evalyo"),
        element("td", { "data-label": "Event" }, element("code", {}, event.action)),
        element("td", { "data-label": "On" }, on, details ? element("span", { class: "by" }, details) : null));
    }));
    $("audit-empty").hidden = events.length > 0;
    $("audit-table").parentElement.hidden = events.length === 0;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("invite-form").addEventListener("submit", invite);
    $("close-invitation").addEventListener("click", () => $("invitation-dialog").close());
    $("invitation-dialog").addEventListener("close", () => { $("invitation-url").value = ""; show("members-view"); });
    $("start-two-factor").addEventListener("click", startTwoFactor);
    $("confirm-two-factor").addEventListener("submit", confirmTwoFactor);
    $("disable-two-factor").addEventListener("submit", disableTwoFactor);
    $("close-recovery").addEventListener("click", () => $("recovery-dialog").close());
    $("recovery-dialog").addEventListener("close", async () => {
      $("recovery-codes").replaceChildren();
      await C.refresh();
    });
    $("require-two-factor").addEventListener("change", setRequirement);
    $("end-other-sessions").addEventListener("click", endOtherSessions);
    $("password-form").addEventListener("submit", changePassword);
    $("audit-type").addEventListener("change", () => show("audit-view"));
    $("audit-actor").addEventListener("change", () => show("audit-view"));
  });

  window.EvalyoPeople = { show };
})();
