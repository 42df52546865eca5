// Passkeys on the pages of auth-http. Served by the layer as a static file (allowed by
// the Content-Security-Policy's script-src 'self'). It fetches a ceremony's options from
// the layer's JSON API (or reads them from the form), calls navigator.credentials, and
// posts the answer with the page's own form, CSRF token and all. Without this script (or
// without WebAuthn) the passkey controls stay hidden and the other forms work as before.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function toBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i += 1) {
      raw += String.fromCharCode(bytes[i]);
    }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map(function (c) {
      var copy = Object.assign({}, c);
      copy.id = toBytes(c.id);
      return copy;
    });
  }

  // The server's options (binary values in base64url) as the browser takes them.
  function creationOptions(options) {
    var pk = Object.assign({}, options.publicKey);
    pk.challenge = toBytes(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: toBytes(pk.user.id) });
    pk.excludeCredentials = withIds(pk.excludeCredentials);
    return { publicKey: pk };
  }

  function requestOptions(options) {
    var pk = Object.assign({}, options.publicKey);
    pk.challenge = toBytes(pk.challenge);
    pk.allowCredentials = withIds(pk.allowCredentials);
    return { publicKey: pk };
  }

  // The browser's answer as JSON, binary values in base64url (what toJSON() gives).
  function answerJson(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      if (r.getTransports) {
        response.transports = r.getTransports();
      }
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = r.userHandle ? toText(r.userHandle) : null;
    }
    return JSON.stringify({
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: response,
      extensions: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    });
  }

  // Starts a ceremony: POSTs `body` (an object, or none) and returns the challenge. A
  // refusal's first field reason ({"error": {"fields": {name: {"message"}}}}) is the
  // message, else the error's message.
  function start(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          var error = answer.error || {};
          var names = Object.keys(error.fields || {});
          var field = names.length ? error.fields[names[0]] : null;
          var refused = new Error((field && field.message) || error.message || "");
          refused.name = "PasskeyNotStarted";
          throw refused;
        }
        return answer;
      });
    });
  }

  // The texts the page gave the error's element (data-not-used="..."), in the page's
  // language; the English ones only for a page of an application's own that has none.
  var english = {
    notStarted: "The passkey could not be started.",
    notUsed: "No passkey was used. Try again, or use another way.",
    alreadyHere: "This device holds a passkey for this account already.",
    failed: "The passkey did not work. Try again.",
    nameIt: "Give the passkey a name.",
    emailFirst: "Enter your email address first.",
  };

  function say(box, name) {
    var error = box.querySelector("[data-passkey-error]");
    return (error && error.dataset[name]) || english[name];
  }

  function show(box, message) {
    var error = box.querySelector("[data-passkey-error]");
    if (error) {
      error.textContent = message;
      error.hidden = false;
    }
  }

  function why(box, error) {
    if (error && error.name === "NotAllowedError") {
      return say(box, "notUsed");
    }
    if (error && error.name === "InvalidStateError") {
      return say(box, "alreadyHere");
    }
    if (error && error.message) {
      return error.message;
    }
    return say(box, error && error.name === "PasskeyNotStarted" ? "notStarted" : "failed");
  }

  function submitWith(form, started, credential) {
    form.elements.challenge.value = started.challenge;
    form.elements.credential.value = answerJson(credential);
    form.submit();
  }

  var conditional = null;

  // Registration on the account page: the name typed, then the authenticator.
  function register(form, box) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.elements.name.value.trim()) {
        form.elements.name.focus();
        show(box, say(box, "nameIt"));
        return;
      }
      start(form.dataset.start)
        .then(function (started) {
          return navigator.credentials
            .create(creationOptions(started.options))
            .then(function (credential) {
              submitWith(form, started, credential);
            });
        })
        .catch(function (error) {
          show(box, why(box, error));
        });
    });
  }

  // "Sign in with a passkey": ask at once.
  function signIn(form, box) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (conditional) {
        conditional.abort();
        conditional = null;
        delete form.dataset.autofill;
      }
      var remember = document.getElementById("f-remember");
      if (remember && form.elements.remember) {
        form.elements.remember.value = remember.checked ? "on" : "";
      }
      start(form.dataset.start)
        .then(function (started) {
          return navigator.credentials
            .get(requestOptions(started.options))
            .then(function (credential) {
              submitWith(form, started, credential);
            });
        })
        .catch(function (error) {
          show(box, why(box, error));
        });
    });
    // Autofill: the passkeys offered beside the saved usernames, where the browser can
    // (only then is a challenge started as the page loads; it stores nothing on the
    // server). While the request waits for the person, the form says so in
    // data-autofill="waiting". Not after a refused passkey (data-autofill="off"): the
    // same passkey would be offered, and refused, again; the button still asks.
    var field = document.querySelector("input[autocomplete~='webauthn']");
    if (
      !field ||
      form.dataset.autofill === "off" ||
      !PublicKeyCredential.isConditionalMediationAvailable
    ) {
      return;
    }
    PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (!available) {
        return;
      }
      start(form.dataset.start)
        .then(function (started) {
          conditional = new AbortController();
          var options = requestOptions(started.options);
          options.mediation = "conditional";
          options.signal = conditional.signal;
          var asked = navigator.credentials.get(options);
          form.dataset.autofill = "waiting";
          return asked.then(function (credential) {
            if (credential) {
              var remember = document.getElementById("f-remember");
              if (remember && form.elements.remember) {
                form.elements.remember.value = remember.checked ? "on" : "";
              }
              submitWith(form, started, credential);
            }
          });
        })
        .catch(function () {
          // Aborted for the button, or no autofill: nothing to say.
        });
    });
  }

  // The second step after the password: the options came with the page.
  function secondFactor(form, box) {
    var started = JSON.parse(form.dataset.options);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      navigator.credentials
        .get(requestOptions(started.options))
        .then(function (credential) {
          submitWith(form, started, credential);
        })
        .catch(function (error) {
          show(box, why(box, error));
        });
    });
  }

  // Sign-up with a passkey: the address typed in the page's sign-up form, then a new
  // passkey for the account that does not exist yet.
  function signUp(form, box) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var field = document.getElementById(form.dataset.email);
      var email = field ? field.value.trim() : "";
      if (!email) {
        if (field) {
          field.focus();
        }
        show(box, say(box, "emailFirst"));
        return;
      }
      form.elements.email.value = email;
      start(form.dataset.start, { email: email })
        .then(function (started) {
          return navigator.credentials
            .create(creationOptions(started.options))
            .then(function (credential) {
              submitWith(form, started, credential);
            });
        })
        .catch(function (error) {
          show(box, why(box, error));
        });
    });
  }

  // Re-authentication (step-up) with one of the account's passkeys.
  function stepUp(form, box) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      start(form.dataset.start)
        .then(function (started) {
          return navigator.credentials
            .get(requestOptions(started.options))
            .then(function (credential) {
              submitWith(form, started, credential);
            });
        })
        .catch(function (error) {
          show(box, why(box, error));
        });
    });
  }

  var kinds = {
    register: register,
    "sign-in": signIn,
    "second-factor": secondFactor,
    "sign-up": signUp,
    "step-up": stepUp,
  };
  document.querySelectorAll("[data-passkey-box]").forEach(function (box) {
    var form = box.querySelector("form[data-passkey]");
    var kind = form && kinds[form.dataset.passkey];
    if (!kind) {
      return;
    }
    box.hidden = false;
    kind(form, box);
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      note.hidden = true;
    });
  });
})();
