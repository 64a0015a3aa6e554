extension HTMLReport {
    /// The pages' inline style sheet.
    static let style = """
        :root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--good:#1a7f37;--bad:#cf222e;--model:#2f6fde;--tool:#0f9d7a;\
        --warn:#bf8700;--purple:#8250df}
        *{box-sizing:border-box}
        body{font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);\
        margin:0 auto;padding:16px 24px 0;max-width:1400px}
        h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:22px 0 8px}h2 small{color:var(--muted);font-weight:normal}
        nav a{color:var(--muted);text-decoration:none}a{color:var(--model)}
        pre{white-space:pre-wrap;word-break:break-word;margin:0;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
        .desc{color:var(--muted);margin:0 0 8px}
        .badge{display:inline-block;font-size:12px;font-weight:600;border-radius:10px;padding:1px 9px;color:#fff;vertical-align:middle}
        .badge.pass{background:var(--good)}.badge.fail{background:var(--bad)}
        .good{color:var(--good)}.bad{color:var(--bad)}
        .facts{display:flex;flex-wrap:wrap;gap:6px 22px;margin:8px 0}.facts div{display:flex;gap:6px}
        .facts dt{color:var(--muted)}.facts dd{margin:0;font-weight:600}
        .output{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px 10px;max-height:240px;overflow:auto}
        .output.bad{border-color:var(--bad);background:#fff5f5;color:var(--fg)}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        th{color:var(--muted);font-weight:600}
        table.checks tr.fail td{background:#ffebe9;color:#82071e;font-weight:600}table.checks tr.pass td:first-child{color:var(--good)}
        td.where{white-space:nowrap}
        table.index tr.fail td{background:#fff5f5}
        .empty{color:var(--muted)}
        .legend{display:flex;flex-wrap:wrap;gap:0 14px;font-size:12px;color:var(--muted);margin-bottom:4px}
        .legend span{display:inline-flex;align-items:center;gap:3px}.legend svg.swatch{display:inline-block}
        .tl{display:flex;border:1px solid var(--line);border-radius:6px;overflow:hidden}
        .tl .labels{flex:0 0 170px;border-right:1px solid var(--line);background:#f6f8fa}
        .tl .labels div{display:flex;flex-direction:column;justify-content:center;padding:0 8px;border-top:1px solid var(--line);overflow:hidden}
        .tl .labels b,.tl .labels span{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
        .tl .labels span{font-size:11px;color:var(--muted)}
        .tl .scroll{overflow-x:auto;flex:1}
        svg{display:block;font-size:10px}
        svg .lane{fill:#fff}svg .lane.odd{fill:#fafbfc}
        svg .gap rect{fill:#eef1f4}svg .gap text{fill:var(--muted);text-anchor:middle;font-size:10px}
        svg .tick{fill:#afb8c1;text-anchor:middle;font-size:9px}
        svg .hit{fill:transparent !important;stroke:none !important}
        svg .ev{cursor:pointer}svg .ev:focus{outline:none}
        svg .span.model rect{fill:var(--model);opacity:.8}svg .span.tool rect{fill:var(--tool);opacity:.8}
        svg .span.failed rect{fill:var(--bad)}svg .span.open rect{opacity:.35;stroke:#57606a;stroke-dasharray:3 2}
        svg .k-model_request circle,svg .k-model_response circle{fill:var(--model)}
        svg .k-model_error circle{fill:var(--bad)}svg .k-model_retry circle{fill:#fff;stroke:var(--model);stroke-width:1.5}
        svg .k-tool_call circle,svg .k-tool_result circle{fill:var(--tool)}svg .k-tool_result.bad circle{fill:var(--bad)}
        svg .k-checkpoint line{stroke:#8c959f;stroke-width:1.5}
        svg .k-fault_injected polygon{fill:var(--bad)}svg .k-fault_injected line{stroke:var(--bad);stroke-dasharray:2 2}
        svg .k-crashed path{stroke:#6e0000;stroke-width:4;stroke-linecap:round}
        svg .crashline line{stroke:#6e0000;stroke-width:3;opacity:.7}svg .crashline text{fill:#6e0000;font-weight:700}
        svg .k-resumed polygon{fill:var(--model)}svg .k-paused rect{fill:var(--warn)}
        svg .k-compaction polygon{fill:var(--purple)}svg .k-recall circle{fill:#fff;stroke:var(--purple);stroke-width:2}
        svg .k-guardrail polygon{fill:var(--warn)}svg .k-plan_updated rect{fill:#57606a}
        svg .k-run_started circle{fill:#fff;stroke:var(--good);stroke-width:2}svg .k-completed circle{fill:var(--good)}
        svg .k-failed rect{fill:var(--bad)}svg .k-error circle{fill:var(--bad)}
        svg .k-delegation circle,svg .k-delegation_result circle{fill:#0f766e}
        svg .link path{fill:none;stroke:#0f766e;stroke-width:1.5}svg .link.result path{stroke-dasharray:4 3}
        svg .sel circle,svg .sel rect:not(.hit),svg .sel polygon,svg .sel path,svg .sel line{stroke:#000;stroke-width:2}
        #inspector{position:sticky;bottom:0;background:#fff;border:1px solid var(--line);border-radius:6px 6px 0 0;\
        margin-top:10px;padding:6px 10px;max-height:38vh;overflow:auto;box-shadow:0 -2px 8px rgba(0,0,0,.06)}
        #inspector h3{font-size:12px;margin:0 0 4px;color:var(--muted);font-weight:600}
        #events details{border-bottom:1px solid #eaeef2;padding:2px 0}
        #events summary{cursor:pointer;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
        #events details pre{background:#f6f8fa;padding:6px 8px;margin:4px 0 6px 18px;border-radius:4px}
        #events .seq,#events .t,#events .step{color:var(--muted)}#events .lane{color:#0f766e}
        #events .sel>summary{background:#fff8c5}
        #events .k-fault_injected b,#events .k-crashed b,#events .k-failed b,#events .k-model_error b{color:var(--bad)}
        body>:last-child{margin-bottom:24px}
        """

    /// The pages' inline script: hovering an event shows its JSON in the inspector; clicking pins it and opens
    /// its row in the event list; opening a row highlights the event on the timeline.
    static let script = """
        (function(){
        var pinned=null;
        function row(seq){return document.getElementById('e'+seq);}
        function show(seq){var r=row(seq),box=document.getElementById('inspector');if(!r||!box)return;
        box.querySelector('h3').textContent=r.querySelector('summary').textContent;
        box.querySelector('pre').textContent=r.querySelector('pre').textContent;}
        function mark(seq){document.querySelectorAll('.sel').forEach(function(n){n.classList.remove('sel');});
        document.querySelectorAll('[data-seq="'+seq+'"]').forEach(function(n){n.classList.add('sel');});}
        function target(ev){return ev.target&&ev.target.closest?ev.target.closest('svg [data-seq]'):null;}
        function pin(seq){pinned=seq;show(seq);mark(seq);var r=row(seq);if(r)r.open=true;}
        document.addEventListener('mouseover',function(ev){var t=target(ev);if(t)show(t.getAttribute('data-seq'));});
        document.addEventListener('mouseout',function(ev){if(pinned&&target(ev))show(pinned);});
        document.addEventListener('focusin',function(ev){var t=target(ev);if(t)show(t.getAttribute('data-seq'));});
        document.addEventListener('click',function(ev){var t=target(ev);if(t)pin(t.getAttribute('data-seq'));});
        document.addEventListener('keydown',function(ev){var t=target(ev);if(t&&(ev.key==='Enter'||ev.key===' ')){
        ev.preventDefault();pin(t.getAttribute('data-seq'));}});
        document.querySelectorAll('#events details').forEach(function(d){d.addEventListener('toggle',function(){
        if(!d.open)return;var seq=d.getAttribute('data-seq');pinned=seq;show(seq);mark(seq);
        var g=document.querySelector('svg g.ev[data-seq="'+seq+'"]:not(.span):not(.link)');
        if(g&&g.scrollIntoView)g.scrollIntoView({block:'nearest',inline:'center'});});});
        })();
        """
}
