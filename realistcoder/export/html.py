"""HTML: one standalone page (no network, no external files), quotes searchable and sortable.

Every cell is escaped; a few lines of inline JavaScript filter rows as the reader types and sort
a table when its header is clicked. Without JavaScript the page is still a plain set of tables.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from realistcoder.export.registry import register
from realistcoder.export.safe import xml_text
from realistcoder.export.table import Table, text_of

STYLE = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #ccd;padding:.3rem .45rem;vertical-align:top;text-align:left}
th{background:#e8edf5;cursor:pointer;position:sticky;top:0;user-select:none}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right}td.wrap{min-width:18rem;white-space:pre-wrap}
tr:nth-child(even) td{background:#fafbfd}
#q{font-size:1rem;padding:.3rem .5rem;width:min(40rem,100%)}
.notes{color:#555}.count{color:#555;margin-left:.5rem}
dl.references dt{font-weight:600;margin-top:.4rem}dl.references dd{margin-left:1.5rem}
@media print{#search{display:none}th{position:static}}
"""

SCRIPT = """
(function(){
  var q=document.getElementById('q'),count=document.getElementById('count');
  var rows=Array.prototype.slice.call(document.querySelectorAll('tbody tr'));
  function filter(){
    var terms=q.value.toLowerCase().split(/\\s+/).filter(Boolean),shown=0;
    rows.forEach(function(r){
      var t=r.textContent.toLowerCase();
      var ok=terms.every(function(w){return t.indexOf(w)>=0;});
      r.hidden=!ok; if(ok) shown++;
    });
    count.textContent=shown+' of '+rows.length+' rows';
    document.querySelectorAll('table').forEach(function(t){
      var any=Array.prototype.some.call(t.tBodies[0].rows,function(r){return !r.hidden;});
      t.hidden=!any&&t.tBodies[0].rows.length>0;
      var h=t.previousElementSibling; if(h&&h.tagName==='H2') h.hidden=t.hidden;
    });
  }
  q.addEventListener('input',filter); filter();
  document.querySelectorAll('table').forEach(function(table){
    table.querySelectorAll('th').forEach(function(th,i){
      th.addEventListener('click',function(){
        var asc=th.getAttribute('aria-sort')!=='ascending';
        table.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort',asc?'ascending':'descending');
        var body=table.tBodies[0],list=Array.prototype.slice.call(body.rows);
        var num=th.classList.contains('num');
        list.sort(function(a,b){
          var x=a.cells[i].textContent,y=b.cells[i].textContent,c;
          if(num){c=(parseFloat(x)||0)-(parseFloat(y)||0);}
          else{c=x.localeCompare(y,undefined,{numeric:true,sensitivity:'base'});}
          return asc?c:-c;
        });
        list.forEach(function(r){body.appendChild(r);});
      });
    });
  });
})();
"""


def h(value: object) -> str:
    """Escaped text for an HTML element or attribute."""
    return escape(xml_text(text_of(value)), quote=True)


def html_table(table: Table, rows: list[dict]) -> list[str]:
    head = "".join(
        f'<th scope="col"{" class=num" if c.numeric else ""}>{h(c.header)}</th>'
        for c in table.columns
    )
    out = ["<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>"]
    for row in rows:
        cells = []
        for c in table.columns:
            cls = "num" if c.numeric else "wrap" if c.wrap else ""
            attr = f' class="{cls}"' if cls else ""
            cells.append(f"<td{attr} data-col=\"{h(c.key)}\">{h(table.cell(row, c))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def render_html(table: Table) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(table.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{h(table.title)}</h1>",
    ]
    parts += [f'<p class="notes">{h(note)}</p>' for note in table.notes]
    parts.append(
        '<p id="search"><label>Search: <input id="q" type="search" '
        'placeholder="words in any column, e.g. trust 2017"></label>'
        '<span id="count" class="count"></span></p>'
    )
    for section in table.sections:
        if len(table.sections) > 1 or section.title != table.title:
            parts.append(f"<h2>{h(section.title)}</h2>")
        for block, rows in table.blocks(section):
            parts += html_table(block, rows)
    if table.references:
        parts += ['<h2 id="references">References</h2>', '<dl class="references">']
        parts += [f"<dt>{h(label)}</dt><dd>{h(entry)}</dd>" for label, entry in table.references]
        parts.append("</dl>")
    parts += [f"<script>{SCRIPT}</script>", "</body>", "</html>", ""]
    return "\n".join(parts)


@register("html", extensions=(".html", ".htm"), description="standalone searchable web page")
def write_html(table: Table, path: Path) -> None:
    table = table.report_view()
    path.write_text(render_html(table), encoding="utf-8", newline="\n")
