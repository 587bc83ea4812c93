// The admin's entry forms, loaded on every admin page of the tracker (core.admin).
//
// 1. Sources offered with one click (core.admin.suggest_sources): a button under a sources
//    field adds its source to that field, as if picked in the autocomplete. Nothing is
//    chosen until the analyst clicks.
// 2. Enter while an autocomplete is still searching: the list shown is the previous one, so
//    Enter would pick from results for what was typed before. Enter waits for the answer.
"use strict";

document.addEventListener("click", function (event) {
    const button = event.target.closest("button.source-suggestion");
    if (!button) {
        return;
    }
    event.preventDefault();
    const row = button.closest(".form-row, td, .fieldBox");
    const select = row && row.querySelector("select");
    if (!select) {
        return;
    }
    let option = Array.from(select.options).find((o) => o.value === button.dataset.id);
    if (!option) {
        option = new Option(button.dataset.label, button.dataset.id);
        select.add(option);
    }
    if (select.multiple) {
        option.selected = true;
    } else {
        select.value = option.value;
    }
    if (window.django && window.django.jQuery) {
        window.django.jQuery(select).trigger("change"); // select2 shows the choice
    } else {
        select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    const group = button.closest(".source-suggestions");
    group.querySelectorAll("button").forEach(function (other) {
        if (!select.multiple) {
            other.removeAttribute("aria-pressed");
        }
    });
    button.setAttribute("aria-pressed", "true");
});

// The search box of an open autocomplete: typed into, and not yet answered.
let searching = false;
document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("select2-search__field")) {
        searching = true;
    }
}, true);
new MutationObserver(function () {
    const results = document.querySelector(".select2-container--open .select2-results__options");
    if (results && !results.querySelector(".loading-results")) {
        // An answer arrived: the list shows the results for what is typed now. (Typing
        // changes no element; select2 replaces the list only with "Searching…" or results.)
        searching = false;
    }
}).observe(document.documentElement, { childList: true, subtree: true });
document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.classList) {
        return;
    }
    if (event.target.classList.contains("select2-search__field") && searching) {
        event.preventDefault();
        event.stopImmediatePropagation();
    }
}, true);

// 3. Names for the autocompletes (select2), which it leaves unnamed until something is
//    chosen (axe: "ARIA input fields must have an accessible name"): the field's label.
function fieldName(select) {
    const label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.trim().replace(/:$/, "") : "";
}

function nameAutocompletes() {
    document.querySelectorAll(".select2-container").forEach(function (container) {
        const select = container.previousElementSibling;
        if (!select || select.tagName !== "SELECT") {
            return;
        }
        const name = fieldName(select);
        if (!name) {
            return;
        }
        container.querySelectorAll("[role=combobox], [role=textbox]").forEach(function (box) {
            if (!box.hasAttribute("aria-label")) {
                box.setAttribute("aria-label", name);
            }
        });
        container.querySelectorAll(".select2-search__field:not([aria-label])").forEach(
            function (input) {
                input.setAttribute("aria-label", name + ": type to search");
            }
        );
        // The "clear" cross select2 puts straight into its list of choices.
        container.querySelectorAll("ul > .select2-selection__clear").forEach(function (cross) {
            cross.setAttribute("role", "listitem");
        });
    });
    // The search box of an open single-choice autocomplete (in the dropdown, outside).
    document.querySelectorAll(".select2-dropdown .select2-search__field:not([aria-label])")
        .forEach(function (input) {
            input.setAttribute("aria-label", "Type to search");
        });
}

let naming = false;
new MutationObserver(function () {
    if (!naming) {
        naming = true;
        window.requestAnimationFrame(function () {
            nameAutocompletes();
            naming = false;
        });
    }
}).observe(document.documentElement, { childList: true, subtree: true });
