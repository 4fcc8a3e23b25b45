/* The rows of an ordered inline (templates/admin/callbacks/edit_inline/ordered_tabular.html):
   moved by dragging their handle or with their up and down buttons (reachable by keyboard), and
   their position inputs numbered 1…n in the order shown. The server numbers them again on save. */
"use strict";
{
    const ROW = "tbody > tr.form-row";

    function rowsOf(group) {  // the real rows in the page's order, without the template row
        return Array.from(group.querySelectorAll(ROW))
            .filter((row) => !row.classList.contains("empty-form"));
    }

    function isDeleted(row) {
        const box = row.querySelector('input[name$="-DELETE"]');
        return Boolean(box && box.checked);
    }

    function startOf(row) {  // a row's error line, shown above it, moves with it
        const above = row.previousElementSibling;
        return above && above.classList.contains("row-form-errors") ? above : row;
    }

    function move(row, before) {
        const body = row.parentNode;
        const errors = startOf(row);
        if (before === row || before === errors) {
            return;
        }
        if (errors !== row) {
            body.insertBefore(errors, before);
        }
        body.insertBefore(row, before);
    }

    function renumber(group) {
        let place = 0;
        const rows = rowsOf(group);
        for (const row of rows) {
            const input = row.querySelector("input.row-position");
            if (input) {
                input.value = isDeleted(row) ? "" : String(++place);
            }
        }
        const most = group.querySelector('input[name$="-MAX_NUM_FORMS"]');
        const note = group.querySelector(".row-limit");
        if (most && note) {
            note.classList.toggle("row-limit-reached", rows.length >= Number(most.value));
        }
    }

    function button(kind, label, symbol) {
        const control = document.createElement("button");
        control.type = "button";
        control.className = kind;
        control.title = label;
        control.setAttribute("aria-label", label);
        control.textContent = symbol;
        return control;
    }

    function addControls(group, row) {
        const cell = row.querySelector("td.row-order");
        if (!cell || cell.childElementCount) {
            return;
        }
        const handle = document.createElement("span");
        handle.className = "row-drag";
        handle.title = group.dataset.drag;
        handle.setAttribute("aria-hidden", "true");  // the buttons do the same by keyboard
        handle.textContent = "⠿";
        cell.append(
            handle,
            button("row-up", group.dataset.moveUp, "↑"),
            button("row-down", group.dataset.moveDown, "↓"),
        );
        const input = row.querySelector("input.row-position");
        if (input) {
            input.readOnly = true;
            input.tabIndex = -1;
        }
    }

    function moveByButton(group, control) {
        const row = control.closest("tr");
        const rows = rowsOf(group);
        const index = rows.indexOf(row);
        if (control.classList.contains("row-up") && index > 0) {
            move(row, startOf(rows[index - 1]));
        } else if (control.classList.contains("row-down") && index < rows.length - 1) {
            move(row, rows[index + 1].nextElementSibling);
        }
        renumber(group);
        control.focus();  // moving the row took the focus away
    }

    function drag(group, row, start) {
        row.classList.add("row-dragging");
        const follow = (event) => {
            const others = rowsOf(group).filter((other) => other !== row);
            const below = others.find((other) => {
                const box = other.getBoundingClientRect();
                return event.clientY < box.top + box.height / 2;
            });
            const last = others[others.length - 1];
            move(row, below ? startOf(below) : last.nextElementSibling);
            renumber(group);
        };
        const drop = () => {
            document.removeEventListener("pointermove", follow);
            document.removeEventListener("pointerup", drop);
            document.removeEventListener("pointercancel", drop);
            row.classList.remove("row-dragging");
            renumber(group);
        };
        document.addEventListener("pointermove", follow);
        document.addEventListener("pointerup", drop);
        document.addEventListener("pointercancel", drop);
        follow(start);
    }

    function setUp(group) {
        for (const row of group.querySelectorAll(ROW)) {
            addControls(group, row);
        }
        renumber(group);
        group.addEventListener("click", (event) => {
            const control = event.target.closest("button.row-up, button.row-down");
            if (control) {
                event.preventDefault();
                moveByButton(group, control);
            }
        });
        group.addEventListener("pointerdown", (event) => {
            const handle = event.target.closest(".row-drag");
            if (handle && rowsOf(group).length > 1) {
                event.preventDefault();
                drag(group, handle.closest("tr"), event);
            }
        });
        group.addEventListener("change", () => renumber(group));  // a row ticked for deletion
    }

    function groupOf(event) {
        const name = event.detail && event.detail.formsetName;
        return name ? document.getElementById(`${name}-group`) : null;
    }

    function onFormsetChange(event) {
        const group = groupOf(event);
        if (group && group.hasAttribute("data-ordered-rows")) {
            if (event.target instanceof Element && event.target.matches("tr.form-row")) {
                addControls(group, event.target);
            }
            renumber(group);
        }
    }

    function start() {
        document.querySelectorAll("[data-ordered-rows]").forEach(setUp);
        document.addEventListener("formset:added", onFormsetChange);
        document.addEventListener("formset:removed", onFormsetChange);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}
