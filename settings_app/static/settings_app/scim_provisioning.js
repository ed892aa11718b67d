/*
 * SCIM Provisioning page enhancements. The page works without this file; the
 * server validates every submission and has the final word.
 *
 * - Enables "Generate SCIM Token" live, once the settings would pass the
 *   server's rules (mirrors settings_app/services/origins.py and ip_allowlist.py).
 * - Copy buttons for the endpoint, the token and the example command.
 * - A confirm() before Reset Token and Disable SCIM; without JavaScript the server asks instead.
 *
 * No inline code anywhere, so the page runs under `Content-Security-Policy: default-src 'self'`.
 */
(function () {
  "use strict";

  var MAX_ENTRIES = 100;
  var ORIGIN_MAX_LENGTH = 255;
  var LABEL = "(?!-)[a-z0-9-]{1,63}(?<!-)";
  var HOSTNAME_RE = new RegExp("^" + LABEL + "(\\." + LABEL + ")*$");

  // --- Service Origin: a domain, or http(s)://host[:port] with no path ---------

  function toAscii(host) {
    // Internationalised names compare in punycode, as on the server.
    if (/^[\x00-\x7f]*$/.test(host)) {
      return host.toLowerCase();
    }
    try {
      return new URL("http://" + host + "/").hostname;
    } catch (error) {
      return "";
    }
  }

  function validHost(host) {
    return host.length <= 253 && HOSTNAME_RE.test(host);
  }

  function validOrigin(value) {
    var text = value.trim();
    if (!text || text.length > ORIGIN_MAX_LENGTH || /\s/.test(text)) {
      return false;
    }
    var schemeEnd = text.indexOf("://");
    if (schemeEnd < 0) {
      return validHost(toAscii(text.replace(/\/+$/, "")));
    }
    var scheme = text.slice(0, schemeEnd).toLowerCase();
    if (scheme !== "http" && scheme !== "https") {
      return false;
    }
    var rest = /^([^/?#]*)(.*)$/.exec(text.slice(schemeEnd + 3));
    var netloc = rest[1];
    if ((rest[2] !== "" && rest[2] !== "/") || netloc.indexOf("@") >= 0) {
      return false; // an origin has no path, query, fragment or credentials
    }
    var host = netloc;
    var withPort = /^(.*):([0-9]*)$/.exec(netloc);
    if (withPort) {
      host = withPort[1];
      if (withPort[2] !== "" && Number(withPort[2]) > 65535) {
        return false;
      }
    }
    return validHost(toAscii(host));
  }

  // --- IP allowlist: addresses, CIDR blocks, low-high ranges -------------------

  function parseIPv4(text) {
    var octets = text.split(".");
    if (octets.length !== 4) {
      return null;
    }
    var value = 0n;
    for (var i = 0; i < 4; i++) {
      // Like Python's ipaddress: decimal only, no leading zeros, at most 255.
      if (!/^(0|[1-9][0-9]{0,2})$/.test(octets[i]) || Number(octets[i]) > 255) {
        return null;
      }
      value = (value << 8n) | BigInt(octets[i]);
    }
    return { version: 4, bits: 32, value: value };
  }

  function hexGroups(part) {
    if (part === "") {
      return [];
    }
    var groups = part.split(":");
    for (var i = 0; i < groups.length; i++) {
      if (!/^[0-9a-f]{1,4}$/i.test(groups[i])) {
        return null;
      }
    }
    return groups.map(function (group) {
      return BigInt(parseInt(group, 16));
    });
  }

  function parseIPv6(text) {
    if (text.indexOf(":") < 0) {
      return null;
    }
    // An embedded IPv4 address (::ffff:10.0.0.1) stands for the last two groups.
    var lastColon = text.lastIndexOf(":");
    var lastPart = text.slice(lastColon + 1);
    if (lastPart.indexOf(".") >= 0) {
      var v4 = parseIPv4(lastPart);
      if (v4 === null) {
        return null;
      }
      text = text.slice(0, lastColon + 1) + (v4.value >> 16n).toString(16) + ":" + (v4.value & 0xffffn).toString(16);
    }
    var halves = text.split("::");
    if (halves.length > 2) {
      return null;
    }
    var head = hexGroups(halves[0]);
    var tail = halves.length === 2 ? hexGroups(halves[1]) : [];
    if (head === null || tail === null) {
      return null;
    }
    var count = head.length + tail.length;
    // "::" stands for at least one zero group; without it all eight are written.
    if (halves.length === 2 ? count > 7 : count !== 8) {
      return null;
    }
    var groups = head.concat(new Array(8 - count).fill(0n), tail);
    var value = 0n;
    for (var i = 0; i < 8; i++) {
      value = (value << 16n) | groups[i];
    }
    return { version: 6, bits: 128, value: value };
  }

  function parseAddress(text) {
    var address = text.split("%", 1)[0]; // a zone id (fe80::1%eth0) is ignored, as on the server
    return parseIPv4(address) || parseIPv6(address);
  }

  function validEntry(entry) {
    if (entry.indexOf("/") >= 0) {
      var slash = entry.indexOf("/");
      var network = parseIPv4(entry.slice(0, slash)) || parseIPv6(entry.slice(0, slash));
      var prefixText = entry.slice(slash + 1);
      if (network === null || !/^[0-9]+$/.test(prefixText)) {
        return false;
      }
      var prefix = Number(prefixText);
      if (prefix > network.bits) {
        return false;
      }
      // Strict, like the server: 10.0.0.5/24 is refused as a likely typo.
      var hostMask = (1n << BigInt(network.bits - prefix)) - 1n;
      return (network.value & hostMask) === 0n;
    }
    if (entry.indexOf("-") >= 0) {
      var dash = entry.indexOf("-");
      var first = parseAddress(entry.slice(0, dash));
      var last = parseAddress(entry.slice(dash + 1));
      return first !== null && last !== null && first.version === last.version && first.value <= last.value;
    }
    return parseAddress(entry) !== null;
  }

  function validAllowlist(text) {
    var entries = text.trim().split(/[\s,]+/).filter(Boolean);
    return entries.length <= MAX_ENTRIES && entries.every(validEntry);
  }

  // --- Wiring -----------------------------------------------------------------

  function setInvalid(field, invalid) {
    if (invalid) {
      field.setAttribute("aria-invalid", "true");
    } else {
      field.removeAttribute("aria-invalid");
    }
  }

  function enhanceSettingsForm(form) {
    var button = document.getElementById("generate-token-button");
    var method = form.elements.namedItem("method");
    var workspace = form.elements.namedItem("default_workspace");
    var origin = form.elements.namedItem("service_origin");
    var allowlist = form.elements.namedItem("ip_allowlist");
    if (!button || !method || !workspace || !origin || !allowlist) {
      return;
    }

    function originOk() {
      if (origin.value.trim() === "") {
        return method.value !== "custom"; // only Custom requires a Service Origin
      }
      return validOrigin(origin.value);
    }

    function update(event) {
      var ok = {
        method: ["custom", "okta", "entra_id"].indexOf(method.value) >= 0,
        workspace: workspace.value !== "",
        origin: originOk(),
        allowlist: validAllowlist(allowlist.value),
      };
      // Mark only what the admin has just changed; untouched empty fields stay calm.
      if (event && event.target === origin) {
        setInvalid(origin, origin.value.trim() !== "" && !ok.origin);
      }
      if (event && event.target === method && origin.value.trim() === "") {
        setInvalid(origin, false);
      }
      if (event && event.target === allowlist) {
        setInvalid(allowlist, !ok.allowlist);
      }
      if (event && event.target === workspace) {
        setInvalid(workspace, !ok.workspace);
      }
      button.disabled = !(ok.method && ok.workspace && ok.origin && ok.allowlist);
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update(null);
  }

  function enhanceCopyButtons() {
    var buttons = document.querySelectorAll("[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var section = button.closest("section");
      var status = section ? section.querySelector(".copy-status") : null;
      if (!target) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = target.textContent.trim();
        var label = button.getAttribute("data-copy-label") || "Text";
        copyText(text, target).then(
          function () {
            if (status) {
              status.textContent = label + " copied to the clipboard.";
            }
          },
          function () {
            if (status) {
              status.textContent = "Copy failed: select the text and copy it by hand.";
            }
          }
        );
      });
    });
  }

  function copyText(text, element) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain-HTTP hosts have no Clipboard API: select the text and use the old command.
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var copied = document.execCommand("copy");
    return copied ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function enhanceConfirmForms() {
    var forms = document.querySelectorAll("form.confirm-form[data-confirm]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
          return;
        }
        // Confirmed here, so the server skips its own confirmation step.
        var confirmed = form.querySelector("[data-confirmed-field]");
        if (confirmed) {
          confirmed.value = "true";
        }
      });
    });
  }

  var settingsForm = document.getElementById("scim-settings-form");
  if (settingsForm) {
    enhanceSettingsForm(settingsForm);
  }
  enhanceCopyButtons();
  enhanceConfirmForms();

  // Exposed for the browser tests, which check the rules against the server's.
  window.scimProvisioningRules = { validOrigin: validOrigin, validAllowlist: validAllowlist };
})();
