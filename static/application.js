/* The application pages: narrow one list by another, and search the unit directory. */
(function () {
  "use strict";
  var dataNode = document.getElementById("cascade-data");
  var form = document.getElementById("section-form");
  if (!dataNode || !form) return;
  var data = JSON.parse(dataNode.textContent);
  var pleaseChoose = form.querySelector("select option[value='']");
  var blankLabel = pleaseChoose ? pleaseChoose.textContent : "";

  function fill(select, options, keep) {
    var wanted = keep !== undefined ? keep : select.dataset.value || select.value;
    select.innerHTML = "";
    var blank = document.createElement("option");
    blank.value = "";
    blank.textContent = blankLabel;
    select.appendChild(blank);
    options.forEach(function (pair) {
      var option = document.createElement("option");
      option.value = pair[0];
      option.textContent = pair[1];
      if (pair[0] === wanted) option.selected = true;
      select.appendChild(option);
    });
    select.dataset.value = "";
  }

  function unique(values) {
    return values.filter(function (value, index) { return values.indexOf(value) === index; });
  }

  if (form.dataset.section === "site") {
    var city = form.elements.city, site = form.elements.site, point = form.elements.registration_point;
    var showSites = function () { fill(site, data.sites[city.value] || []); showPoints(); };
    var showPoints = function () { if (point) fill(point, data.points[site.value] || []); };
    city.addEventListener("change", showSites);
    site.addEventListener("change", showPoints);
    showSites();
  }

  if (form.dataset.section === "exam") {
    var category = form.elements.category, level = form.elements.level, specialty = form.elements.specialty;
    var all = data.specialties; /* [code, name, category, level, category shown, level shown] */
    var current = all.filter(function (row) { return row[0] === specialty.dataset.value; })[0];
    if (current) { category.dataset.value = current[2]; level.dataset.value = current[3]; }
    var showLevels = function () {
      var rows = all.filter(function (row) { return row[2] === category.value; });
      var levels = unique(rows.map(function (row) { return row[3]; }));
      fill(level, levels.map(function (value) { return [value, rows.filter(function (row) { return row[3] === value; })[0][5]]; }));
      showSpecialties();
    };
    var showSpecialties = function () {
      fill(specialty, all.filter(function (row) { return row[2] === category.value && row[3] === level.value; })
        .map(function (row) { return [row[0], row[0] + " " + row[1]]; }));
    };
    fill(category, unique(all.map(function (row) { return row[2]; })).map(function (value) {
      return [value, all.filter(function (row) { return row[2] === value; })[0][4]];
    }));
    category.addEventListener("change", showLevels);
    level.addEventListener("change", showSpecialties);
    specialty.addEventListener("change", function () {
      /* 成绩滚动管理: a history candidate starts from last year's failed subjects. */
      var failed = data.historySubjects[specialty.value];
      form.querySelectorAll("input[name=subjects]").forEach(function (box) {
        box.checked = failed ? failed.indexOf(box.value) >= 0 : true;
      });
    });
    showLevels();
  }

  if (form.dataset.section === "work") {
    var search = document.getElementById("unit-search"), results = document.getElementById("unit-results");
    var unit = form.elements.unit, chosen = document.getElementById("unit-chosen");
    var otherFields = ["other_unit_name", "unit_category"].map(function (name) {
      return form.querySelector("[data-field=" + name + "]");
    });
    var showOther = function (visible) { otherFields.forEach(function (field) { field.hidden = !visible; }); };
    var timer = null;
    chosen.textContent = data.unitName;
    showOther(!unit.value);
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var q = search.value.trim();
      if (!q) { results.innerHTML = ""; return; }
      timer = setTimeout(function () {
        fetch(data.unitsUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (body) {
            results.innerHTML = "";
            (body.results || []).forEach(function (found) {
              var item = document.createElement("li");
              item.setAttribute("role", "option");
              item.textContent = found.name + "（" + found.province + "，" + found.city + "）";
              item.addEventListener("click", function () {
                unit.value = found.id;
                chosen.textContent = found.name;
                results.innerHTML = "";
                search.value = "";
                showOther(false);
              });
              results.appendChild(item);
            });
          });
      }, 250);
    });
    document.getElementById("unit-other").addEventListener("click", function () {
      unit.value = "";
      chosen.textContent = "";
      showOther(true);
    });
  }
})();
