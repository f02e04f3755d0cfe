// The API reference page: reads /api/v1/openapi.json and renders every operation, its scope,
// parameters, request body and answers. Plain DOM, no library, nothing from another host.
"use strict";

(() => {
  const el = (tag, attributes, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  };

  /** Follows a local $ref. */
  const resolve = (doc, schema) => {
    let current = schema || {};
    while (current.$ref) current = current.$ref.split("/").slice(1).reduce((node, key) => node[key], doc);
    return current;
  };

  /** A schema in a few words: its type, format, enum and bounds. */
  const describe = (doc, raw) => {
    const schema = resolve(doc, raw);
    if (raw && raw.$ref && resolve(doc, raw).properties) return raw.$ref.split("/").pop();
    if (schema.oneOf) return schema.oneOf.map((s) => describe(doc, s)).join(" or ");
    if (schema.anyOf) return schema.anyOf.map((s) => describe(doc, s)).join(" or ");
    if (schema.allOf) return schema.allOf.map((s) => describe(doc, s)).join(" + ");
    const types = [].concat(schema.type || "any").join(" or ");
    const parts = [types === "array" ? `array of ${describe(doc, schema.items)}` : types];
    if (schema.format) parts.push(schema.format);
    if (schema.enum) parts.push(`one of ${schema.enum.filter((v) => v !== null).join(", ")}`);
    if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`${schema.minimum ?? ""}…${schema.maximum ?? ""}`);
    if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`);
    if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`);
    return parts.join(", ");
  };

  /** The fields of an object schema as a table. */
  const fields = (doc, raw) => {
    const schema = resolve(doc, raw);
    if (!schema.properties) return el("p", {}, describe(doc, raw));
    const required = new Set(schema.required || []);
    const rows = Object.entries(schema.properties).map(([name, property]) =>
      el("tr", {}, el("td", {}, el("code", {}, name), required.has(name) ? " *" : ""), el("td", {}, describe(doc, property)),
        el("td", { class: "muted" }, resolve(doc, property).description || "")));
    return el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Field"), el("th", {}, "Type"), el("th", {}, "Notes"))), el("tbody", {}, ...rows));
  };

  /** Text with `code` spans, as the document writes them. */
  const prose = (text) => el("p", {}, ...String(text || "").split("`").map((part, index) => (index % 2 ? el("code", {}, part) : part)));

  const render = (doc) => {
    const content = document.getElementById("content");
    const toc = document.getElementById("toc");
    content.replaceChildren(
      el("h1", {}, `${doc.info.title} ${doc.info.version}`),
      prose(doc.info.description),
      el("p", {}, "Authentication: ", el("code", {}, "Authorization: Bearer <key>"), ". Fields marked * are required."),
    );
    const byTag = new Map();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const tag = (op.tags || ["Other"])[0];
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag).push({ path, method, op });
      }
    }
    for (const [tag, ops] of byTag) {
      toc.append(el("h3", {}, tag));
      content.append(el("h2", { id: `tag-${tag}` }, tag));
      for (const { path, method, op } of ops) {
        toc.append(el("a", { href: `#${op.operationId}` }, `${method.toUpperCase()} ${path.replace("/api/v1", "")}`));
        const section = el("section", { class: "op", id: op.operationId },
          el("h3", {}, el("span", { class: `method ${method}` }, method.toUpperCase()), el("code", {}, path),
            el("span", { class: "scope" }, op["x-scope"])),
          el("p", {}, op.summary));
        const params = op.parameters || [];
        if (params.length) {
          section.append(el("h4", {}, "Parameters"), el("table", {}, el("tbody", {}, ...params.map((p) =>
            el("tr", {}, el("td", {}, el("code", {}, p.name), p.required ? " *" : ""), el("td", {}, p.in), el("td", {}, describe(doc, p.schema)),
              el("td", { class: "muted" }, p.description || ""))))));
        }
        if (op.requestBody) {
          section.append(el("h4", {}, "Body (JSON)"), fields(doc, op.requestBody.content["application/json"].schema));
        }
        section.append(el("h4", {}, "Answers"), el("table", {}, el("tbody", {}, ...Object.entries(op.responses).map(([code, raw]) => {
          const response = resolve(doc, raw);
          const schema = response.content && response.content["application/json"] && response.content["application/json"].schema;
          return el("tr", {}, el("td", {}, el("code", {}, code)), el("td", {}, response.description || ""),
            el("td", { class: "muted" }, schema ? describe(doc, schema) : ""));
        }))));
        content.append(section);
      }
    }
    const schemas = el("section", { class: "op", id: "schemas" }, el("h2", {}, "Schemas"));
    for (const name of Object.keys(doc.components.schemas)) {
      schemas.append(el("h3", { id: `schema-${name}` }, name), fields(doc, doc.components.schemas[name]));
    }
    toc.append(el("h3", {}, "Reference"), el("a", { href: "#schemas" }, "Schemas"));
    content.append(schemas);
  };

  document.addEventListener("DOMContentLoaded", async () => {
    try {
      const response = await fetch("/api/v1/openapi.json", { cache: "no-cache" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      render(await response.json());
    } catch (error) {
      document.getElementById("status").textContent = `The API description could not be loaded (${error.message}).`;
    }
  });
})();
