/* parcel-redact web page. Talks only to the server that served it (same origin); no external assets.
 * Flow per photo: POST /v1/analyze -> draw proposed masks -> user toggles / adds masks ->
 * POST /v1/render with the kept polygons (the server's self-check still runs) -> download. */
"use strict";
(() => {
  const I18N = {
    en: {
      local: "Runs on this computer · photos are not sent anywhere else",
      title: "Hide personal data on parcel labels",
      lead: "Names, phone numbers, addresses, tracking numbers and every barcode are found and masked. Check the proposed masks, adjust them, then download.",
      drop: "Drop parcel photos here", or: "or", pick: "Choose photos",
      formats: "JPEG, PNG, WebP, HEIC · several at once",
      style: "Mask style", style_fill: "Fill", style_noise: "Noise", style_pixelate: "Pixelate", style_blur: "Blur",
      clear: "Clear all", zip: "Download all (.zip)",
      key: "This server needs an API key", key_save: "Use key",
      hint: "Tap or click a mask to remove it (again to restore). Drag on the photo to add a mask.",
      draw: "Draw mask", reset: "Reset", preview: "Preview result", edit: "Edit masks", download: "Download", remove: "Remove",
      privacy: "This page only talks to the server that served it. Masked pixels are destroyed, not covered: they cannot be recovered from the downloaded image. Metadata (GPS, camera) is removed.",
      analyzing: "Finding personal data…", rendering: "Rendering…", waiting: "Waiting…",
      summary: (n, off, add) => `${n} masked` + (off ? ` · ${off} kept visible` : "") + (add ? ` · ${add} added` : ""),
      none: "Nothing personal found — drag to add a mask",
      too_big: "File is too large for this server",
      busy: "Server busy, retrying…",
      failed: "Failed",
      not_image: (names) => `Not a photo, skipped: ${names} (JPEG, PNG, WebP, HEIC, TIFF or BMP)`,
      no_preview: "This browser cannot show this format; showing a converted copy.",
      zip_name: "redacted-photos.zip",
      cat: {
        name: "Name", phone: "Phone", address: "Address", id_number: "ID number", tracking_number: "Tracking no.",
        email: "E-mail", postal_code: "Postal code", barcode: "Barcode", qrcode: "QR / 2-D code",
        unreadable: "Unreadable text", other: "Other", user: "Added by you",
      },
      role: { recipient: "recipient", sender: "sender", unknown: "" },
    },
    zh: {
      local: "在本机处理 · 照片不会发送到任何其他地方",
      title: "遮盖快递面单上的个人信息",
      lead: "自动找出姓名、电话、地址、运单号和所有条形码/二维码并遮盖。检查建议的遮盖区域，按需调整，然后下载。",
      drop: "把快递照片拖到这里", or: "或", pick: "选择照片",
      formats: "支持 JPEG、PNG、WebP、HEIC · 可一次多张",
      style: "遮盖样式", style_fill: "纯色", style_noise: "噪点", style_pixelate: "马赛克", style_blur: "模糊",
      clear: "全部清除", zip: "全部下载 (.zip)",
      key: "此服务需要 API 密钥", key_save: "使用密钥",
      hint: "点按遮盖区域可取消遮盖（再点恢复）。在照片上拖动可添加遮盖。",
      draw: "画遮盖", reset: "重置", preview: "预览结果", edit: "编辑遮盖", download: "下载", remove: "移除",
      privacy: "本页面只与提供它的服务器通信。被遮盖的像素已被销毁而非覆盖，无法从下载的图片中恢复。照片元数据（GPS、相机信息）会被删除。",
      analyzing: "正在查找个人信息…", rendering: "正在生成…", waiting: "等待中…",
      summary: (n, off, add) => `已遮盖 ${n} 处` + (off ? ` · 保留 ${off} 处` : "") + (add ? ` · 手动添加 ${add} 处` : ""),
      none: "未发现个人信息 — 可拖动添加遮盖",
      too_big: "文件超过此服务器的大小限制",
      busy: "服务器繁忙，正在重试…",
      failed: "失败",
      not_image: (names) => `不是照片，已跳过：${names}（支持 JPEG、PNG、WebP、HEIC、TIFF、BMP）`,
      no_preview: "浏览器无法显示此格式，显示的是转换后的副本。",
      zip_name: "已遮盖照片.zip",
      cat: {
        name: "姓名", phone: "电话", address: "地址", id_number: "证件号", tracking_number: "运单号",
        email: "邮箱", postal_code: "邮编", barcode: "条形码", qrcode: "二维码",
        unreadable: "无法识别的文字", other: "其他", user: "手动添加",
      },
      role: { recipient: "收件人", sender: "寄件人", unknown: "" },
    },
  };
  const CATS = ["name", "phone", "address", "id_number", "tracking_number", "email", "postal_code",
    "barcode", "qrcode", "unreadable", "other", "user"];
  const SVGNS = "http://www.w3.org/2000/svg";

  const $ = (sel, root = document) => root.querySelector(sel);
  const state = {
    lang: localStorage.getItem("redact-lang") || ((navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en"),
    style: null,
    limits: null,
    key: sessionStorage.getItem("redact-key") || "",
    items: [],
    queue: Promise.resolve(),
  };
  let nextId = 1;

  const t = (k) => I18N[state.lang][k] ?? I18N.en[k] ?? k;
  const catName = (c) => (I18N[state.lang].cat[c] || I18N.en.cat[c] || c);

  // ---------------------------------------------------------------------------------------------- i18n
  function applyLang() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach((el) => {
      const v = t(el.dataset.i18n);
      if (typeof v === "string") el.textContent = v;
    });
    document.querySelectorAll("[data-i18n-aria]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nAria)));
    $("#lang").textContent = state.lang === "zh" ? "English" : "中文";
    renderLegend();
    state.items.forEach((it) => { drawMasks(it); updateStatus(it); });
  }

  function renderLegend() {
    const box = $("#legend");
    box.textContent = "";
    for (const c of CATS) {
      const s = document.createElement("span");
      s.className = "legend-item";
      s.innerHTML = `<i class="sw" data-cat="${c}"></i>`;
      s.append(catName(c));
      box.append(s);
    }
  }

  // ----------------------------------------------------------------------------------------------- API
  class ApiError extends Error {
    constructor(status, kind, message) { super(message); this.status = status; this.kind = kind; }
  }

  async function api(path, body, item) {
    for (let attempt = 0; ; attempt++) {
      const headers = {};
      if (state.key) headers["X-API-Key"] = state.key;
      const res = await fetch(path, { method: "POST", body, headers, credentials: "same-origin", cache: "no-store" });
      if (res.ok) return res;
      let err = { error: "http", message: `HTTP ${res.status}` };
      try { err = await res.json(); } catch (e) { /* not JSON */ }
      if (res.status === 429 && attempt < 30) {
        const wait = Math.min(30, parseInt(res.headers.get("Retry-After") || "2", 10) || 2);
        if (item) setStatus(item, t("busy"), "busy");
        await new Promise((r) => setTimeout(r, wait * 1000));
        continue;
      }
      if (res.status === 401) showKeyBox();
      throw new ApiError(res.status, err.error, err.message);
    }
  }

  function photoForm(item, extra) {
    const fd = new FormData();
    fd.append("file", item.file, "photo");
    for (const [k, v] of Object.entries(extra || {})) fd.append(k, v);
    return fd;
  }

  // --------------------------------------------------------------------------------------------- items
  const IMAGE_NAME = /\.(jpe?g|jpe|jfif|png|webp|heic|heif|avif|tiff?|bmp)$/i;
  const isImage = (f) => (f.type ? f.type.startsWith("image/") : false) || IMAGE_NAME.test(f.name || "");

  /** Say which dropped files were not taken (a .txt, a PDF): a silent drop looks like a broken page. */
  function notice(text) {
    const n = $("#notice");
    n.textContent = text || "";
    n.hidden = !text;
  }

  function addFiles(files) {
    const refused = files.filter((f) => f && !isImage(f)).map((f) => f.name || "?");
    notice(refused.length ? t("not_image")(refused.join(", ")) : "");
    for (const file of files) {
      if (!file || !isImage(file)) continue;
      const item = {
        id: nextId++, file, name: file.name || "photo", masks: [], report: null, W: 0, H: 0,
        status: "", statusKind: "", result: null, previewing: false, drawMode: false, displayUrl: null,
      };
      state.items.push(item);
      buildCard(item);
      if (state.limits && file.size > state.limits.max_body_bytes) {
        item.error = t("too_big");
        setStatus(item, t("too_big"), "error");
        setActions(item);
        continue;
      }
      state.queue = state.queue.then(() => analyze(item)); // one at a time: the server has few workers
    }
    updateToolbar();
  }

  async function analyze(item) {
    if (!state.items.includes(item)) return;
    setStatus(item, t("analyzing"), "busy");
    setBusy(item, true);
    try {
      const res = await api("/v1/analyze", photoForm(item), item);
      const rep = await res.json();
      item.report = rep;
      item.W = rep.width; item.H = rep.height;
      item.masks = rep.masks.map((m, i) => ({
        key: `a${i}`, polygon: m.polygon, category: m.category, source: "auto", removed: false,
        role: roleOf(rep, m),
      }));
      item.error = null;
      $(".overlay", item.el).setAttribute("viewBox", `0 0 ${item.W} ${item.H}`);
      if (item.noPreview) await convertedPreview(item);
      drawMasks(item);
      updateStatus(item);
    } catch (e) {
      item.error = e.message || t("failed");
      setStatus(item, `${t("failed")}: ${item.error}`, "error");
    } finally {
      setBusy(item, false);
      if (item.el) setActions(item);
      updateToolbar();
    }
  }

  function roleOf(rep, m) {
    for (const fi of m.fields || []) {
      const f = rep.fields[fi];
      if (f && f.role && f.role !== "unknown") return f.role;
    }
    return "unknown";
  }

  async function convertedPreview(item) {
    // The browser cannot decode this file (e.g. HEIC): ask the server for a plain JPEG copy (no masks).
    const res = await api("/v1/render?format=jpeg", photoForm(item, { masks: "[]" }), item);
    const blob = await res.blob();
    if (item.displayUrl) URL.revokeObjectURL(item.displayUrl);
    item.displayUrl = URL.createObjectURL(blob);
    $(".photo", item.el).src = item.displayUrl;
    setStatus(item, t("no_preview"), "");
  }

  function keptPolygons(item) {
    return item.masks.filter((m) => !m.removed).map((m) => m.polygon.map((p) => [round1(p[0]), round1(p[1])]));
  }
  const round1 = (v) => Math.round(v * 10) / 10;

  async function render(item) {
    const masks = JSON.stringify(keptPolygons(item));
    const key = `${state.style}|${masks}`;
    if (item.result && item.result.key === key) return item.result;
    setBusy(item, true);
    const before = item.status;
    setStatus(item, t("rendering"), "busy");
    try {
      const q = state.style ? `?style=${encodeURIComponent(state.style)}` : "";
      const res = await api(`/v1/render${q}`, photoForm(item, { masks }), item);
      const blob = await res.blob();
      const ext = { "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/tiff": ".tif", "image/bmp": ".bmp" }[blob.type] || ".jpg";
      if (item.result && item.result.url) URL.revokeObjectURL(item.result.url);
      item.result = { key, blob, ext, url: URL.createObjectURL(blob), reportId: res.headers.get("X-Redact-Report-Id") };
      updateStatus(item);
      return item.result;
    } catch (e) {
      setStatus(item, `${t("failed")}: ${e.message}`, "error");
      throw e;
    } finally {
      setBusy(item, false);
      if (item.status === t("rendering")) setStatus(item, before, "");
    }
  }

  function outName(item, ext) {
    // the CLI's convention: photo.jpg -> photo.redacted.jpg
    const base = item.name.replace(/\.[^.]+$/, "") || "photo";
    return `${base}.redacted${ext}`;
  }

  function saveBlob(blob, name) {
    const a = document.createElement("a");
    const url = URL.createObjectURL(blob);
    a.href = url; a.download = name; a.rel = "noopener";
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  async function download(item) {
    if (!item.report) return;
    const r = await render(item);
    saveBlob(r.blob, outName(item, r.ext));
  }

  async function downloadAll() {
    const ready = state.items.filter((it) => it.report);
    if (!ready.length) return;
    const btn = $("#zip");
    btn.disabled = true;
    try {
      const files = [];
      const used = new Set();
      for (const it of ready) {
        const r = await render(it);
        let name = outName(it, r.ext);
        for (let i = 2; used.has(name); i++) name = outName(it, `-${i}${r.ext}`);
        used.add(name);
        files.push({ name, data: new Uint8Array(await r.blob.arrayBuffer()) });
      }
      saveBlob(makeZip(files), t("zip_name"));
    } finally {
      btn.disabled = false;
    }
  }

  // --------------------------------------------------------------------------------------------- cards
  function buildCard(item) {
    const el = $("#card-tpl").content.firstElementChild.cloneNode(true);
    item.el = el;
    el.dataset.item = String(item.id);
    $(".card-name", el).textContent = item.name;
    $(".card-name", el).title = item.name;
    const img = $(".photo", el);
    item.displayUrl = URL.createObjectURL(item.file);
    img.src = item.displayUrl;
    img.addEventListener("error", () => {
      if (!item.noPreview) { item.noPreview = true; if (item.report) convertedPreview(item).catch(() => {}); }
    });
    el.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    el.querySelectorAll("[data-i18n-aria]").forEach((n) => n.setAttribute("aria-label", t(n.dataset.i18nAria)));
    $(".download", el).addEventListener("click", () => download(item).catch(() => {}));
    $(".reset", el).addEventListener("click", () => {
      item.masks = item.masks.filter((m) => m.source === "auto");
      item.masks.forEach((m) => { m.removed = false; });
      changed(item);
    });
    $(".draw", el).addEventListener("click", (ev) => {
      item.drawMode = !item.drawMode;
      ev.currentTarget.setAttribute("aria-pressed", String(item.drawMode));
      $(".stage", el).classList.toggle("drawing", item.drawMode);
    });
    $(".preview", el).addEventListener("click", () => togglePreview(item));
    $(".remove", el).addEventListener("click", () => removeItem(item));
    setupPointer(item);
    setActions(item);
    $("#cards").append(el);
  }

  async function togglePreview(item) {
    const el = item.el;
    const btn = $(".preview", el);
    if (item.previewing) {
      item.previewing = false;
      $(".photo", el).src = item.displayUrl;
      el.classList.remove("previewing");
      btn.textContent = t("preview"); btn.dataset.i18n = "preview";
      btn.setAttribute("aria-pressed", "false");
      return;
    }
    if (!item.report) return;
    try {
      const r = await render(item);
      item.previewing = true;
      $(".photo", el).src = r.url;
      el.classList.add("previewing");
      btn.textContent = t("edit"); btn.dataset.i18n = "edit";
      btn.setAttribute("aria-pressed", "true");
    } catch (e) { /* status shows it */ }
  }

  function removeItem(item) {
    state.items = state.items.filter((x) => x !== item);
    if (item.displayUrl) URL.revokeObjectURL(item.displayUrl);
    if (item.result) URL.revokeObjectURL(item.result.url);
    item.el.remove();
    updateToolbar();
  }

  function changed(item) {
    if (item.previewing) togglePreview(item);
    drawMasks(item);
    updateStatus(item);
  }

  function setBusy(item, on) { $(".busy", item.el).hidden = !on; }

  /** Download, Preview, Draw and Reset need the analysis: off until it is there, off for a failed photo. */
  function setActions(item) {
    const ready = Boolean(item.report);
    item.el.querySelectorAll(".download, .preview, .draw, .reset").forEach((b) => { b.disabled = !ready; });
    item.el.classList.toggle("failed", !ready && Boolean(item.error));
  }

  function setStatus(item, text, kind) {
    item.status = text;
    const s = $(".status", item.el);
    s.textContent = text;
    s.className = `status ${kind || ""}`;
  }

  function updateStatus(item) {
    if (!item.report) { if (item.error) setStatus(item, `${t("failed")}: ${item.error}`, "error"); return; }
    const kept = item.masks.filter((m) => !m.removed);
    const off = item.masks.filter((m) => m.removed).length;
    const add = item.masks.filter((m) => m.source === "user").length;
    if (!item.masks.length) setStatus(item, t("none"), "ok");
    else setStatus(item, t("summary")(kept.length, off, add), "ok");
  }

  function bbox(poly) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const [x, y] of poly) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
    return { x0, y0, x1, y1 };
  }

  function drawMasks(item) {
    const el = item.el;
    if (!el || !item.W) return;
    const svg = $(".overlay", el);
    const tags = $(".tags", el);
    const list = $(".mask-list", el);
    svg.textContent = ""; tags.textContent = ""; list.textContent = "";
    item.masks.forEach((m, i) => {
      const cat = m.source === "user" ? "user" : m.category;
      const poly = document.createElementNS(SVGNS, "polygon");
      poly.setAttribute("points", m.polygon.map((p) => `${p[0]},${p[1]}`).join(" "));
      poly.setAttribute("class", `mask${m.removed ? " removed" : ""}`);
      poly.setAttribute("data-cat", cat);
      poly.setAttribute("data-idx", String(i));
      poly.setAttribute("vector-effect", "non-scaling-stroke");
      svg.append(poly);

      const b = bbox(m.polygon);
      const tag = document.createElement("span");
      tag.className = `tag${m.removed ? " removed" : ""}`;
      tag.dataset.cat = cat; tag.dataset.idx = String(i);
      tag.style.left = `${(Math.max(0, b.x0) / item.W) * 100}%`;
      tag.style.top = `${(Math.max(0, b.y0) / item.H) * 100}%`;
      tag.textContent = catName(cat);
      tags.append(tag);
    });
    // one chip per category and role: a quick way to keep, say, every tracking number visible
    const groups = new Map();
    item.masks.forEach((m, i) => {
      const cat = m.source === "user" ? "user" : m.category;
      const key = `${cat}|${m.source === "user" ? "" : m.role}`;
      if (!groups.has(key)) groups.set(key, { cat, role: m.source === "user" ? "unknown" : m.role, idx: [] });
      groups.get(key).idx.push(i);
    });
    const catOrder = (c) => { const k = CATS.indexOf(c); return k < 0 ? 99 : k; };
    [...groups.values()].sort((a, b) => catOrder(a.cat) - catOrder(b.cat) || a.role.localeCompare(b.role))
      .forEach((g) => {
        const kept = g.idx.filter((i) => !item.masks[i].removed).length;
        const chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip";
        chip.dataset.cat = g.cat;
        chip.setAttribute("aria-pressed", String(kept > 0));
        const role = I18N[state.lang].role[g.role] || "";
        chip.innerHTML = `<i class="sw" data-cat="${g.cat}"></i>`;
        chip.append(catName(g.cat) + (role ? ` · ${role}` : ""));
        if (g.idx.length > 1) {
          const n = document.createElement("b");
          n.className = "count";
          n.textContent = kept === g.idx.length ? `×${kept}` : `${kept}/${g.idx.length}`;
          chip.append(n);
        }
        chip.addEventListener("click", () => {
          const hide = kept > 0;
          g.idx.forEach((i) => { item.masks[i].removed = hide; });
          changed(item);
        });
        list.append(chip);
      });
    requestAnimationFrame(() => declutter(item));
  }

  /** Hide category tags that would cover another tag at the displayed size (the masks stay visible). */
  function declutter(item) {
    const placed = [];
    item.el.querySelectorAll(".tag").forEach((tag) => {
      tag.classList.remove("hidden-tag");
      const r = tag.getBoundingClientRect();
      const hit = placed.some((p) => !(r.right <= p.left || p.right <= r.left || r.bottom <= p.top || p.bottom <= r.top));
      if (hit) tag.classList.add("hidden-tag");
      else placed.push(r);
    });
  }

  function toggleMask(item, i) {
    const m = item.masks[i];
    if (!m) return;
    if (m.source === "user") item.masks.splice(i, 1); // a mask you drew: click removes it
    else m.removed = !m.removed;
    changed(item);
  }

  // -------------------------------------------------------------------------- pointer: toggle and draw
  function setupPointer(item) {
    const stage = $(".stage", item.el);
    let drag = null;
    const toImage = (ev) => {
      const r = stage.getBoundingClientRect();
      return [
        Math.min(item.W, Math.max(0, ((ev.clientX - r.left) / r.width) * item.W)),
        Math.min(item.H, Math.max(0, ((ev.clientY - r.top) / r.height) * item.H)),
      ];
    };
    stage.addEventListener("pointerdown", (ev) => {
      if (!item.report || item.previewing || ev.button > 0) return;
      const canDraw = ev.pointerType !== "touch" || item.drawMode;
      const target = ev.target.closest("[data-idx]");
      drag = { x: ev.clientX, y: ev.clientY, p0: toImage(ev), idx: target ? Number(target.dataset.idx) : -1,
        canDraw, rect: null, id: ev.pointerId };
      if (canDraw) { stage.setPointerCapture(ev.pointerId); ev.preventDefault(); }
    });
    stage.addEventListener("pointermove", (ev) => {
      if (!drag || ev.pointerId !== drag.id || !drag.canDraw) return;
      if (Math.hypot(ev.clientX - drag.x, ev.clientY - drag.y) < 5 && !drag.rect) return;
      const p1 = toImage(ev);
      if (!drag.rect) {
        drag.rect = document.createElementNS(SVGNS, "rect");
        drag.rect.setAttribute("class", "drawing-rect");
        drag.rect.setAttribute("vector-effect", "non-scaling-stroke");
        $(".overlay", item.el).append(drag.rect);
      }
      const x = Math.min(drag.p0[0], p1[0]), y = Math.min(drag.p0[1], p1[1]);
      drag.rect.setAttribute("x", x); drag.rect.setAttribute("y", y);
      drag.rect.setAttribute("width", Math.abs(p1[0] - drag.p0[0]));
      drag.rect.setAttribute("height", Math.abs(p1[1] - drag.p0[1]));
    });
    const finish = (ev, cancelled) => {
      if (!drag || ev.pointerId !== drag.id) return;
      const d = drag; drag = null;
      const moved = Math.hypot(ev.clientX - d.x, ev.clientY - d.y);
      if (d.rect) d.rect.remove();
      if (cancelled) return;
      if (moved < 5) { if (d.idx >= 0) toggleMask(item, d.idx); return; }
      if (!d.canDraw) return;
      const p1 = toImage(ev);
      const x0 = Math.min(d.p0[0], p1[0]), x1 = Math.max(d.p0[0], p1[0]);
      const y0 = Math.min(d.p0[1], p1[1]), y1 = Math.max(d.p0[1], p1[1]);
      if (x1 - x0 < 2 || y1 - y0 < 2) return;
      item.masks.push({ key: `u${Date.now()}`, polygon: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
        category: "user", source: "user", removed: false, role: "unknown" });
      changed(item);
    };
    stage.addEventListener("pointerup", (ev) => finish(ev, false));
    stage.addEventListener("pointercancel", (ev) => finish(ev, true));
  }

  // ----------------------------------------------------------------------------------------- toolbar
  function updateToolbar() {
    const any = state.items.length > 0;
    $("#toolbar").hidden = !any;
    $("#hint").hidden = !any;
    $("#zip").disabled = !state.items.some((it) => it.report);
    document.body.classList.toggle("has-items", any);
  }

  function showKeyBox() {
    $("#keybox").hidden = false;
    $("#apikey").focus();
  }

  function setStyle(s) {
    state.style = s;
    document.querySelectorAll('input[name="style"]').forEach((r) => { r.checked = r.value === s; });
    state.items.forEach((it) => { if (it.previewing) { togglePreview(it).then(() => togglePreview(it)); } });
  }

  // --------------------------------------------------------------------------------------------- zip
  const CRC_TABLE = (() => {
    const tbl = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      tbl[n] = c >>> 0;
    }
    return tbl;
  })();
  function crc32(buf) {
    let c = 0xffffffff;
    for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }
  /** A ZIP archive (stored, no compression: images are compressed already), UTF-8 names. */
  function makeZip(files) {
    const enc = new TextEncoder();
    const parts = [];
    const central = [];
    let offset = 0;
    const now = new Date();
    const dosTime = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
    const dosDate = ((now.getFullYear() - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
    for (const f of files) {
      const name = enc.encode(f.name);
      const crc = crc32(f.data);
      const local = new DataView(new ArrayBuffer(30));
      local.setUint32(0, 0x04034b50, true); local.setUint16(4, 20, true); local.setUint16(6, 0x0800, true);
      local.setUint16(8, 0, true); local.setUint16(10, dosTime, true); local.setUint16(12, dosDate, true);
      local.setUint32(14, crc, true); local.setUint32(18, f.data.length, true); local.setUint32(22, f.data.length, true);
      local.setUint16(26, name.length, true); local.setUint16(28, 0, true);
      parts.push(new Uint8Array(local.buffer), name, f.data);
      const cen = new DataView(new ArrayBuffer(46));
      cen.setUint32(0, 0x02014b50, true); cen.setUint16(4, 20, true); cen.setUint16(6, 20, true);
      cen.setUint16(8, 0x0800, true); cen.setUint16(10, 0, true); cen.setUint16(12, dosTime, true);
      cen.setUint16(14, dosDate, true); cen.setUint32(16, crc, true); cen.setUint32(20, f.data.length, true);
      cen.setUint32(24, f.data.length, true); cen.setUint16(28, name.length, true);
      cen.setUint32(42, offset, true);
      central.push(new Uint8Array(cen.buffer), name);
      offset += 30 + name.length + f.data.length;
    }
    const cenSize = central.reduce((s, p) => s + p.length, 0);
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true); end.setUint16(8, files.length, true); end.setUint16(10, files.length, true);
    end.setUint32(12, cenSize, true); end.setUint32(16, offset, true);
    return new Blob([...parts, ...central, new Uint8Array(end.buffer)], { type: "application/zip" });
  }

  // -------------------------------------------------------------------------------------------- init
  async function init() {
    applyLang();
    $("#lang").addEventListener("click", () => {
      state.lang = state.lang === "zh" ? "en" : "zh";
      localStorage.setItem("redact-lang", state.lang);
      applyLang();
    });
    const input = $("#file");
    input.addEventListener("change", () => { addFiles(Array.from(input.files || [])); input.value = ""; });
    const drop = $("#drop");
    ["dragenter", "dragover"].forEach((e) => drop.addEventListener(e, (ev) => { ev.preventDefault(); drop.classList.add("over"); }));
    ["dragleave", "drop"].forEach((e) => drop.addEventListener(e, () => drop.classList.remove("over")));
    drop.addEventListener("drop", (ev) => { ev.preventDefault(); addFiles(Array.from(ev.dataTransfer.files || [])); });
    // dropping a photo anywhere else must not make the browser navigate away
    window.addEventListener("dragover", (ev) => ev.preventDefault());
    window.addEventListener("drop", (ev) => { ev.preventDefault(); if (ev.dataTransfer) addFiles(Array.from(ev.dataTransfer.files || [])); });
    document.querySelectorAll('input[name="style"]').forEach((r) => r.addEventListener("change", () => setStyle(r.value)));
    $("#zip").addEventListener("click", () => downloadAll().catch(() => {}));
    $("#clear").addEventListener("click", () => { [...state.items].forEach(removeItem); });
    $("#keysave").addEventListener("click", () => {
      state.key = $("#apikey").value.trim();
      sessionStorage.setItem("redact-key", state.key);
      $("#keybox").hidden = true;
      state.items.filter((it) => !it.report).forEach((it) => { state.queue = state.queue.then(() => analyze(it)); });
    });
    try {
      const res = await fetch("/v1/limits", { cache: "no-store" });
      state.limits = await res.json();
      if (state.limits.api_key_required && !state.key) showKeyBox();
      setStyle(state.limits.default_style || "fill");
    } catch (e) {
      setStyle("fill");
    }
    let resizeTimer = 0;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => state.items.forEach((it) => { if (it.W) declutter(it); }), 120);
    });
    document.body.dataset.ready = "1";
  }

  // exposed for tests and the curious: read-only view of the page state
  window.parcelRedact = { state, makeZip, crc32 };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
