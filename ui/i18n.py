"""Every string the app shows, in English and Spanish, and ``t()`` to look one up.

One entry per key, each with every language of ``ui.state.LANGS``. Keys are dotted by
where they appear (``page.*`` for the navigation, ``node.*`` for the Node page ...);
vocabularies shown by value use a prefix: ``status.<node status>``, ``run.<run status>``,
``level.<level>``, ``resource.<type>``, ``lab.gpu_<gpu use>``, ``solution.<kind>``.
Placeholders are ``str.format`` fields, the same in every language. Node and section
titles and summaries come from the roadmap's own ``i18n`` (``node_title``), not from here.
"""

from __future__ import annotations

from typing import Any

from graph import Roadmap
from ui import state

LANGUAGES = {"en": "English", "es": "Español"}  # each language named in itself

CATALOGUE: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ app and navigation
    "app.title": {"en": "Roadmap Lab", "es": "Roadmap Lab"},
    "page.roadmap": {"en": "Roadmap", "es": "Mapa"},
    "page.node": {"en": "Node", "es": "Nodo"},
    "page.path": {"en": "Learning path", "es": "Ruta de aprendizaje"},
    "page.progress": {"en": "My progress", "es": "Mi progreso"},
    "page.team": {"en": "Team", "es": "Equipo"},
    "page.system": {"en": "System", "es": "Sistema"},
    "page.review": {"en": "Review", "es": "Repaso"},
    "auth.login": {"en": "Log in", "es": "Iniciar sesión"},
    "auth.logout": {"en": "Log out", "es": "Cerrar sesión"},
    "sidebar.language": {"en": "Language", "es": "Idioma"},
    "sidebar.profile": {"en": "Profile", "es": "Perfil"},
    "sidebar.new_profile": {"en": "New profile", "es": "Nuevo perfil"},
    "sidebar.profile_name": {"en": "Profile name", "es": "Nombre del perfil"},
    "sidebar.profile_example": {"en": "e.g. ana", "es": "p. ej. ana"},
    "common.add": {"en": "Add", "es": "Añadir"},
    "common.open_node": {"en": "Open a node", "es": "Abrir un nodo"},
    "common.timeline": {"en": "Completions over time", "es": "Completados en el tiempo"},
    "error.roadmap": {
        "en": "The roadmap in `{root}` cannot be loaded:\n\n```\n{error}\n```\n\nFix the "
              "files named above (or run `roadmap validate` to see the same list), then "
              "reload this page.",
        "es": "No se puede cargar el mapa de `{root}`:\n\n```\n{error}\n```\n\nCorrige los "
              "archivos indicados arriba (o ejecuta `roadmap validate` para ver la misma "
              "lista) y recarga esta página."},
    "error.store": {
        "en": "**The progress database cannot be opened.**\n\n{error}\n\nDatabase: `{db}`\n\n"
              "To fix it: check that the file or server exists and is writable, or point "
              "`ROADMAP_DB_URL` at another database (a SQLite file path or "
              "`postgresql://user@host/db`) and restart the app. Unset `ROADMAP_DB_URL` to "
              "use the default SQLite file in your data folder.",
        "es": "**No se puede abrir la base de datos de progreso.**\n\n{error}\n\n"
              "Base de datos: `{db}`\n\nPara arreglarlo: comprueba que el archivo o el "
              "servidor existe y admite escritura, o apunta `ROADMAP_DB_URL` a otra base de "
              "datos (la ruta de un archivo SQLite o `postgresql://usuario@host/bd`) y "
              "reinicia la aplicación. Quita `ROADMAP_DB_URL` para usar el archivo SQLite "
              "por defecto de tu carpeta de datos."},
    "error.store_driver": {
        "en": "**The progress database cannot be opened:** {error}\n\nDatabase: `{db}`. "
              "Check `ROADMAP_DB_URL`.",
        "es": "**No se puede abrir la base de datos de progreso:** {error}\n\n"
              "Base de datos: `{db}`. Revisa `ROADMAP_DB_URL`."},
    # ------------------------------------------------------------------ vocabularies
    "status.todo": {"en": "to do", "es": "pendiente"},
    "status.learning": {"en": "learning", "es": "aprendiendo"},
    "status.done": {"en": "done", "es": "hecho"},
    "status.skipped": {"en": "skipped", "es": "omitido"},
    "status.verified": {"en": "verified", "es": "verificado"},
    "run.pass": {"en": "pass", "es": "superado"},
    "run.fail": {"en": "fail", "es": "fallido"},
    "run.error": {"en": "error", "es": "error"},
    "run.timeout": {"en": "timeout", "es": "tiempo agotado"},
    "run.cancelled": {"en": "cancelled", "es": "cancelado"},
    "run.skipped": {"en": "skipped", "es": "omitido"},
    "level.beginner": {"en": "beginner", "es": "principiante"},
    "level.intermediate": {"en": "intermediate", "es": "intermedio"},
    "level.advanced": {"en": "advanced", "es": "avanzado"},
    "resource.article": {"en": "article", "es": "artículo"},
    "resource.course": {"en": "course", "es": "curso"},
    "resource.video": {"en": "video", "es": "vídeo"},
    "resource.official": {"en": "official docs", "es": "documentación oficial"},
    "resource.paper": {"en": "paper", "es": "artículo científico"},
    "resource.book": {"en": "book", "es": "libro"},
    "resource.tutorial": {"en": "tutorial", "es": "tutorial"},
    "evidence.verified": {"en": "verified", "es": "verificado"},
    "evidence.stale": {"en": "stale", "es": "por repasar"},
    "evidence.invalidated": {"en": "invalidated", "es": "invalidado"},
    "evidence.inferred": {"en": "inferred", "es": "inferido"},
    "evidence.claimed": {"en": "claimed", "es": "declarado"},
    "evidence.none": {"en": "none", "es": "ninguna"},
    "solution.reference": {"en": "reference", "es": "referencia"},
    "solution.learner": {"en": "yours", "es": "tuya"},
    # ------------------------------------------------------------------ Roadmap page
    "roadmap.stats": {
        "en": "{nodes} nodes · {edges} edges · {hours:g} h · {depth} levels · {labs} labs",
        "es": "{nodes} nodos · {edges} aristas · {hours:g} h · {depth} niveles · "
              "{labs} laboratorios"},
    "roadmap.search": {"en": "Search title or tag", "es": "Buscar título o etiqueta"},
    "roadmap.sections": {"en": "Sections", "es": "Secciones"},
    "roadmap.statuses": {"en": "Statuses", "es": "Estados"},
    "roadmap.target": {"en": "Light the path to", "es": "Iluminar la ruta hacia"},
    "roadmap.target_none": {"en": "Light the path to… (no target)",
                            "es": "Iluminar la ruta hacia… (sin objetivo)"},
    "roadmap.path": {"en": "Path to **{target}**: {steps} steps, {hours:g} h (lit in the graph)",
                     "es": "Ruta hacia **{target}**: {steps} pasos, {hours:g} h (iluminada en "
                           "el grafo)"},
    # ------------------------------------------------------------------ the graph component
    # "{n}", "{name}" and "{total}" are filled in by the component's script, not by t()
    "graph.hours": {"en": "{n} h", "es": "{n} h"},
    "graph.unlocks": {"en": "unlocks {n}", "es": "desbloquea {n}"},
    "graph.aria": {
        "en": "Roadmap graph: Tab to a node, Enter opens it; arrows pan, + and − zoom",
        "es": "Grafo del mapa: Tab lleva a un nodo, Intro lo abre; las flechas lo desplazan, "
              "+ y − acercan y alejan"},
    "graph.hint": {"en": "drag or arrows: pan · Ctrl+wheel or +/−: zoom",
                   "es": "arrastrar o flechas: desplazar · Ctrl+rueda o +/−: zoom"},
    "graph.zoom_in": {"en": "Zoom in", "es": "Acercar"},
    "graph.zoom_out": {"en": "Zoom out", "es": "Alejar"},
    "graph.fit": {"en": "Fit the whole graph", "es": "Ver el grafo entero"},
    "graph.filter": {"en": "Show only {name} (press again to undo)",
                     "es": "Mostrar solo {name} (pulsa otra vez para deshacer)"},
    "graph.matching": {"en": "{n} of {total} nodes match", "es": "{n} de {total} nodos coinciden"},
    # ------------------------------------------------------------------ Node page
    "node.none_selected": {"en": "Pick a node on the Roadmap page or below.",
                           "es": "Elige un nodo en la página Mapa o aquí abajo."},
    "node.unknown": {
        "en": "There is no node `{node}` in the roadmap. Search for it on the Roadmap page "
              "or pick one below.",
        "es": "No hay ningún nodo `{node}` en el mapa. Búscalo en la página Mapa o elige "
              "uno aquí abajo."},
    "node.unknown_suggest": {
        "en": "There is no node `{node}` in the roadmap. Did you mean one of these?",
        "es": "No hay ningún nodo `{node}` en el mapa. ¿Querías decir uno de estos?"},
    "node.hours": {"en": "{hours:g} h", "es": "{hours:g} h"},
    "node.objectives": {"en": "Objectives", "es": "Objetivos"},
    "node.resources": {"en": "Resources", "es": "Recursos"},
    "node.prerequisites": {"en": "Prerequisites", "es": "Requisitos previos"},
    "node.unlocks": {"en": "Unlocks", "es": "Desbloquea"},
    "node.related": {"en": "Related: {nodes}", "es": "Relacionados: {nodes}"},
    "node.locked": {
        "en": "Locked because you have not done: {missing}. You can still start it.",
        "es": "Bloqueado porque te falta: {missing}. Puedes empezar igualmente."},
    "node.status": {"en": "Status", "es": "Estado"},
    "node.set_learning": {"en": "learning", "es": "aprendiendo"},
    "node.set_done": {"en": "done", "es": "hecho"},
    "node.set_skipped": {"en": "skip", "es": "omitir"},
    "node.set_todo": {"en": "reset", "es": "reiniciar"},
    "node.status_set": {"en": "{node} → {status}", "es": "{node} → {status}"},
    "node.cannot_save": {
        "en": "Progress cannot be saved: the database is not available (see above).",
        "es": "No se puede guardar el progreso: la base de datos no está disponible "
              "(ver arriba)."},
    "node.note": {"en": "Note", "es": "Nota"},
    "node.save_note": {"en": "Save note", "es": "Guardar nota"},
    "node.note_saved": {"en": "Note saved", "es": "Nota guardada"},
    # ------------------------------------------------------------------ the lab card
    "lab.title": {"en": "Lab", "es": "Laboratorio"},
    "lab.none": {"en": "This node has no lab.", "es": "Este nodo no tiene laboratorio."},
    "lab.script_missing": {"en": "The lab script `{script}` is missing.",
                           "es": "Falta el script del laboratorio `{script}`."},
    "lab.needs_modules": {
        "en": "This lab needs modules that are not installed: {modules}.",
        "es": "Este laboratorio necesita módulos que no están instalados: {modules}."},
    "lab.facts": {"en": "`{script}` · GPU: {gpu} · timeout {timeout} s",
                  "es": "`{script}` · GPU: {gpu} · límite de tiempo {timeout} s"},
    "lab.gpu_no": {"en": "no", "es": "no"},
    "lab.gpu_optional": {"en": "optional", "es": "opcional"},
    "lab.gpu_required": {"en": "required", "es": "necesaria"},
    "lab.device": {"en": "Device", "es": "Dispositivo"},
    "lab.quick": {"en": "Quick (CPU, seconds)", "es": "Rápido (CPU, segundos)"},
    "lab.run": {"en": "Run lab", "es": "Ejecutar laboratorio"},
    "lab.cancel": {"en": "Cancel", "es": "Cancelar"},
    "lab.running": {"en": "running {node} …", "es": "ejecutando {node} …"},
    "lab.waiting_gpu": {"en": "waiting for the GPU lock (another GPU lab is running)",
                        "es": "esperando el turno de la GPU (otro laboratorio la usa)"},
    "lab.waiting_gpu_detail": {
        "en": "waiting for the GPU lock: another GPU lab is running; this one starts when "
              "it ends (or cancel it).",
        "es": "esperando el turno de la GPU: otro laboratorio la está usando; este empieza "
              "cuando aquel termine (o cancélalo)."},
    "lab.starting": {"en": "(starting)", "es": "(arrancando)"},
    "lab.no_output": {"en": "(no output)", "es": "(sin salida)"},
    "lab.seconds": {"en": "{s:.1f} s", "es": "{s:.1f} s"},
    "lab.last_run": {"en": "Last run: {when} UTC", "es": "Última ejecución: {when} UTC"},
    "lab.checks_passed": {"en": "{passed}/{total} checks passed",
                          "es": "{passed}/{total} comprobaciones superadas"},
    "lab.checks": {"en": "Checks", "es": "Comprobaciones"},
    "lab.metrics": {"en": "Metrics", "es": "Métricas"},
    "lab.history": {"en": "Run history", "es": "Historial de ejecuciones"},
    "lab.no_runs": {"en": "No runs yet.", "es": "Todavía no hay ejecuciones."},
    "lab.col_passed": {"en": "passed", "es": "superada"},
    "lab.col_check": {"en": "check", "es": "comprobación"},
    "lab.col_expected": {"en": "expected", "es": "esperado"},
    "lab.col_actual": {"en": "actual", "es": "obtenido"},
    "lab.col_tolerance": {"en": "tolerance", "es": "tolerancia"},
    "lab.col_message": {"en": "message", "es": "mensaje"},
    "lab.col_metric": {"en": "metric", "es": "métrica"},
    "lab.col_value": {"en": "value", "es": "valor"},
    "lab.col_unit": {"en": "unit", "es": "unidad"},
    "lab.col_status": {"en": "status", "es": "estado"},
    "lab.col_started": {"en": "started", "es": "inicio"},
    "lab.col_duration": {"en": "duration (s)", "es": "duración (s)"},
    "lab.col_device": {"en": "device", "es": "dispositivo"},
    "lab.col_quick": {"en": "quick", "es": "rápido"},
    "lab.col_solution": {"en": "solution", "es": "solución"},
    "lab.col_checks": {"en": "checks", "es": "comprobaciones"},
    # ------------------------------------------------------------------ Learning path page
    "path.target": {"en": "Target", "es": "Objetivo"},
    "path.finished": {"en": "You have finished this target.",
                      "es": "Ya has terminado este objetivo."},
    "path.summary": {"en": "{steps} steps · Total: {hours:g} hours",
                     "es": "{steps} pasos · Total: {hours:g} horas"},
    "path.hours": {"en": "{hours:g} h", "es": "{hours:g} h"},
    "path.next_up": {"en": "Next up", "es": "Siguiente"},
    "path.next_up_help": {
        "en": "Nodes whose prerequisites are all done, the ones that unlock most first.",
        "es": "Nodos con todos sus requisitos hechos; primero los que más desbloquean."},
    "path.fringe_item": {"en": "{hours:g} h · unlocks {unlocks}",
                         "es": "{hours:g} h · desbloquea {unlocks}"},
    "path.more": {"en": "… and {n} more", "es": "… y {n} más"},
    # ------------------------------------------------------------------ My progress page
    "progress.finished": {"en": "done + skipped", "es": "hecho + omitido"},
    "progress.verified": {"en": "Verified by lab", "es": "Verificados con laboratorio"},
    "progress.section": {
        "en": "**{section}** — {finished}/{total} ({fraction:.0%}) · verified {verified:.0%} "
              "· claimed {claimed:.0%}",
        "es": "**{section}** — {finished}/{total} ({fraction:.0%}) · verificado "
              "{verified:.0%} · declarado {claimed:.0%}"},
    "progress.evidence_help": {
        "en": "evidence is what the labs prove: verified (your own solution passed), stale "
              "(due for review), invalidated (the lab changed since), inferred (a node that "
              "depends on it is verified), claimed (done without a pass)",
        "es": "la evidencia es lo que prueban los laboratorios: verificado (tu propia "
              "solución superó las comprobaciones), por repasar (toca repasarlo), invalidado "
              "(el laboratorio cambió desde entonces), inferido (un nodo que depende de él "
              "está verificado), declarado (hecho sin superar el laboratorio)"},
    "progress.evidence": {"en": "Evidence and reviews", "es": "Evidencia y repasos"},
    "progress.no_evidence": {"en": "No status and no evidence yet.",
                             "es": "Todavía no hay estados ni evidencia."},
    "progress.col_node": {"en": "node", "es": "nodo"},
    "progress.col_status": {"en": "status", "es": "estado"},
    "progress.col_evidence": {"en": "evidence", "es": "evidencia"},
    "progress.col_retention": {"en": "retention", "es": "retención"},
    "progress.col_due": {"en": "next review", "es": "próximo repaso"},
    "progress.recheck": {"en": "re-check now: the lab changed",
                         "es": "comprobar de nuevo: el laboratorio cambió"},
    "progress.via": {"en": "via {nodes}", "es": "a través de {nodes}"},
    "progress.due_on": {"en": "{date}", "es": "{date}"},
    "progress.due_since": {"en": "due since {date}", "es": "pendiente desde {date}"},
    "progress.remaining": {"en": "Remaining: {n}", "es": "Pendiente: {n}"},
    "progress.nothing_yet": {"en": "Nothing finished yet.", "es": "Nada terminado todavía."},
    "progress.export": {"en": "Export my progress", "es": "Exportar mi progreso"},
    "progress.export_file": {"en": "{user}-progress.json", "es": "{user}-progress.json"},
    "progress.import": {"en": "Import progress", "es": "Importar progreso"},
    "progress.import_file": {"en": "A JSON file", "es": "Un archivo JSON"},
    "progress.import_paste": {"en": "… or paste JSON", "es": "… o pega el JSON"},
    "progress.import_unknown": {"en": "Keep progress on unknown nodes aside",
                                "es": "Guardar aparte el progreso de nodos desconocidos"},
    "progress.pasted": {"en": "pasted JSON", "es": "JSON pegado"},
    "progress.not_json": {"en": "{source} is not JSON: {error}. Nothing was imported.",
                          "es": "{source} no es JSON: {error}. No se importó nada."},
    "progress.import_failed": {"en": "Import failed: {error}",
                               "es": "No se pudo importar: {error}"},
    "progress.imported": {
        "en": "Imported into {user}: {statuses} statuses, {events} events, {runs} lab runs "
              "({duplicates} already there).",
        "es": "Importado en {user}: {statuses} estados, {events} eventos, {runs} "
              "ejecuciones de laboratorio ({duplicates} ya estaban)."},
    "progress.kept_aside": {"en": " Kept aside: {nodes}.", "es": " Guardado aparte: {nodes}."},
    # ------------------------------------------------------------------ Team page
    "team.none": {
        "en": "No team yet: create one above and add members (profiles), or from the "
              "shell: `roadmap team add NAME`.",
        "es": "Todavía no hay equipos: crea uno arriba y añade miembros (perfiles), o "
              "desde la terminal: `roadmap team add NOMBRE`."},
    "team.no_members": {"en": "This team has no members yet.",
                        "es": "Este equipo todavía no tiene miembros."},
    "team.uncovered": {"en": "Nobody covers", "es": "Nadie los cubre"},
    "team.uncovered_help": {"en": "No pass, no inference and no claim on the team.",
                            "es": "Nadie del equipo lo ha superado, inferido ni declarado."},
    "team.verified_nodes": {"en": "Verified by someone", "es": "Verificados por alguien"},
    "team.bus_factor": {"en": "Bus factor 1", "es": "Factor autobús 1"},
    "team.bus_factor_help": {"en": "Only one member holds a fresh verified pass.",
                             "es": "Solo una persona tiene una verificación vigente."},
    "team.stale_only": {"en": "Held only by stale evidence",
                        "es": "Solo con evidencia por repasar"},
    "team.stale_only_help": {"en": "Someone passed it, but nobody's pass is fresh.",
                             "es": "Alguien lo superó, pero ninguna verificación está "
                                   "vigente."},
    "team.coverage": {"en": "Coverage per node", "es": "Cobertura por nodo"},
    "team.col_node": {"en": "node", "es": "nodo"},
    "team.col_holders": {"en": "verified by", "es": "verificado por"},
    "team.download_csv": {"en": "Download CSV", "es": "Descargar CSV"},
    "team.download_xlsx": {"en": "Download Excel", "es": "Descargar Excel"},
    "team.role_gap": {"en": "Gap to a role", "es": "Distancia a un perfil"},
    "team.role": {"en": "Role", "es": "Perfil"},
    "team.no_roles": {"en": "The roadmap has no role profiles (roadmap/roles/).",
                      "es": "El mapa no tiene perfiles (roadmap/roles/)."},
    "team.role_help": {
        "en": "What each member has left to learn for the role (by their statuses), and how "
              "many of its {n} nodes they hold a fresh verified pass of.",
        "es": "Lo que le falta a cada persona para el perfil (según sus estados) y cuántos "
              "de sus {n} nodos tiene verificados y vigentes."},
    "team.col_steps": {"en": "steps left", "es": "pasos pendientes"},
    "team.col_hours": {"en": "hours left", "es": "horas pendientes"},
    "team.col_verified": {"en": "verified", "es": "verificados"},
    "team.col_next": {"en": "next", "es": "siguientes"},
    "team.who_can_help": {"en": "Who can help with…", "es": "¿Quién puede ayudar con…?"},
    "team.help_node": {"en": "Node", "es": "Nodo"},
    "team.nobody_done": {"en": "Nobody on this team has done it yet.",
                         "es": "Nadie de este equipo lo ha hecho todavía."},
    "team.no_completions": {"en": "No completions yet.", "es": "Todavía nada completado."},
    "team.manage": {"en": "Manage teams", "es": "Gestionar equipos"},
    "team.new": {"en": "New team", "es": "Nuevo equipo"},
    "team.member": {"en": "Member", "es": "Miembro"},
    "team.add_member": {"en": "Add member", "es": "Añadir miembro"},
    # ------------------------------------------------------------------ Review page
    "review.help": {
        "en": "A review is the same exercise at a fresh seed: new data, so it cannot be "
              "passed from a remembered output. Retention halves every interval (7, 21, 60, "
              "120, 240 days); a node is due below 60 %. Passing a node also counts as part of "
              "a review of its prerequisites.",
        "es": "Un repaso es el mismo ejercicio con una semilla nueva: datos nuevos, así que "
              "no se supera recordando una salida. La retención se reduce a la mitad en cada "
              "intervalo (7, 21, 60, 120, 240 días); un nodo toca repasarlo por debajo del "
              "60 %. Superar un nodo cuenta también como parte de un repaso de sus "
              "requisitos."},
    "review.nothing_due": {"en": "Nothing is due for review.",
                           "es": "No hay nada que repasar ahora."},
    "review.why_stale": {"en": "retention {retention:.0%}", "es": "retención {retention:.0%}"},
    "review.why_invalidated": {"en": "the lab changed since your pass: re-check it",
                               "es": "el laboratorio cambió desde que lo superaste: "
                                     "compruébalo de nuevo"},
    "review.due": {"en": "due {date} ({days:.0f} days ago)",
                   "es": "pendiente desde {date} (hace {days:.0f} días)"},
    "review.leads_to": {"en": "leads to {n} nodes", "es": "lleva a {n} nodos"},
    "review.no_solution": {
        "en": "Your solution file is not there yet: write it with `roadmap lab start {node}` "
              "(or on the Node page's Practice tab), then check it here.",
        "es": "Todavía no está tu archivo de solución: escríbelo con `roadmap lab start "
              "{node}` (o en la pestaña Práctica de la página Nodo) y compruébalo aquí."},
    "review.check": {"en": "Check (seed {seed})", "es": "Comprobar (semilla {seed})"},
    "review.passed": {"en": "Review of {node} passed: its clock starts again.",
                      "es": "Repaso de {node} superado: su reloj vuelve a empezar."},
    "review.upcoming": {"en": "Coming up", "es": "Próximos repasos"},
    "review.no_upcoming": {"en": "No verified node yet: pass a lab with your own solution.",
                           "es": "Todavía no hay nodos verificados: supera un laboratorio "
                                 "con tu propia solución."},
    "review.col_node": {"en": "node", "es": "nodo"},
    "review.col_due": {"en": "due", "es": "fecha"},
    "review.col_retention": {"en": "retention", "es": "retención"},
    "review.col_interval": {"en": "interval (days)", "es": "intervalo (días)"},
    "review.col_reviews": {"en": "reviews", "es": "repasos"},
    # ------------------------------------------------------------------ System page
    "system.checking": {"en": "Checking torch, CUDA and the GPU … ({s} s)",
                        "es": "Comprobando torch, CUDA y la GPU … ({s} s)"},
    "system.not_installed": {"en": "not installed", "es": "no instalado"},
    "system.cpu_build": {"en": "CPU build", "es": "versión para CPU"},
    "system.no_gpu": {"en": "No CUDA GPU is visible: labs run on the CPU.",
                      "es": "No se ve ninguna GPU CUDA: los laboratorios usan la CPU."},
    "system.driver": {"en": " Driver: {driver}.", "es": " Controlador: {driver}."},
    "system.doctor_missing": {"en": "labs/cuda_environment.py is not there",
                              "es": "falta labs/cuda_environment.py"},
    "system.doctor_unfinished": {"en": "the environment check did not finish: {error}",
                                 "es": "la comprobación del entorno no terminó: {error}"},
    "system.doctor_failed": {"en": "the environment check failed: {error}",
                             "es": "la comprobación del entorno falló: {error}"},
    "system.doctor_no_json": {"en": "the environment check printed no JSON",
                              "es": "la comprobación del entorno no imprimió JSON"},
    "system.col_gpu": {"en": "GPU", "es": "GPU"},
    "system.col_name": {"en": "name", "es": "nombre"},
    "system.col_memory": {"en": "memory (GiB)", "es": "memoria (GiB)"},
    "system.col_capability": {"en": "capability", "es": "capacidad"},
    "system.labs": {"en": "Labs", "es": "Laboratorios"},
    "system.labs_short": {"en": "{n} of {total} labs cannot run here yet:",
                          "es": "{n} de {total} laboratorios todavía no pueden ejecutarse "
                                "aquí:"},
    "system.labs_ok": {"en": "All {total} labs have what they need.",
                       "es": "Los {total} laboratorios tienen lo que necesitan."},
    "system.all_labs": {"en": "All labs", "es": "Todos los laboratorios"},
    "system.col_node": {"en": "node", "es": "nodo"},
    "system.col_lab": {"en": "lab", "es": "laboratorio"},
    "system.col_gpu_use": {"en": "GPU", "es": "GPU"},
    "system.col_script": {"en": "script", "es": "script"},
    "system.script_ok": {"en": "present", "es": "presente"},
    "system.script_missing": {"en": "missing", "es": "falta"},
    "system.col_missing": {"en": "missing modules", "es": "módulos que faltan"},
    "system.col_install": {"en": "install", "es": "instalar"},
    "system.database": {"en": "Database", "es": "Base de datos"},
    "system.db_unparsable": {"en": "(unparsable ROADMAP_DB_URL)",
                             "es": "(ROADMAP_DB_URL ilegible)"},
    "system.folders": {"en": "Data folder (runs, logs): `{data}` · roadmap: `{roadmap}`",
                       "es": "Carpeta de datos (ejecuciones, registros): `{data}` · "
                             "mapa: `{roadmap}`"},
    "system.runs": {"en": "Where labs run", "es": "Dónde se ejecutan los laboratorios"},
    "system.sandbox_on": {"en": "Learner code runs in the sandbox: {detail}.",
                          "es": "El código de los alumnos se ejecuta en el entorno aislado: "
                                "{detail}."},
    "system.sandbox_off": {"en": "The sandbox is not active: {detail}. To fix: {fix}.",
                           "es": "El entorno aislado no está activo: {detail}. Solución: {fix}."},
    "system.runner_ok": {"en": "Runner `{name}`: {detail}.",
                         "es": "Ejecutor `{name}`: {detail}."},
    "system.runner_resources": {"en": "Cluster resources: {resources}.",
                                "es": "Recursos del clúster: {resources}."},
    "system.runner_down": {"en": "Runner `{name}` does not answer: {detail}",
                           "es": "El ejecutor `{name}` no responde: {detail}"},
    # ------------------------------------------------------------------ Node tabs, practice
    "node.tab_overview": {"en": "Overview", "es": "Resumen"},
    "node.tab_learn": {"en": "Learn", "es": "Aprender"},
    "node.tab_practice": {"en": "Practice", "es": "Practicar"},
    "practice.lesson": {"en": "Lesson", "es": "Lección"},
    "practice.no_lesson": {"en": "This node has no lesson yet.",
                           "es": "Este nodo aún no tiene lección."},
    "practice.lesson_source": {"en": "From the lab `{script}`.",
                               "es": "Del laboratorio `{script}`."},
    "practice.no_exercises": {
        "en": "This lab has no exercise: it names no functions for you to write.",
        "es": "Este laboratorio no tiene ejercicio: no indica funciones que debas escribir."},
    "practice.intro": {
        "en": "Write {functions} yourself; the lab then checks your code against the same "
              "references as its own. A pass marks the node verified.",
        "es": "Escribe tú {functions}; el laboratorio comprueba tu código con las mismas "
              "referencias que el suyo. Si lo superas, el nodo queda verificado."},
    "practice.start": {"en": "Start exercise", "es": "Empezar el ejercicio"},
    "practice.start_cli": {
        "en": "Or in a terminal: `roadmap lab start {node}` writes the same file.",
        "es": "O en una terminal: `roadmap lab start {node}` escribe el mismo archivo."},
    "practice.write": {
        "en": "Replace each `raise NotImplementedError` in {functions}, then check.",
        "es": "Sustituye cada `raise NotImplementedError` de {functions} y comprueba."},
    "practice.editor_aria": {"en": "Your solution (Python)", "es": "Tu solución (Python)"},
    "practice.editor_hint": {
        "en": "Tab indents · Esc then Tab leaves the editor · Ctrl+Enter checks",
        "es": "Tab sangra · Esc y luego Tab sale del editor · Ctrl+Intro comprueba"},
    "practice.editor_position": {"en": "Ln {line}, Col {col}", "es": "Lín {line}, Col {col}"},
    "practice.check": {"en": "Check", "es": "Comprobar"},
    "practice.reset": {"en": "Reset to starter", "es": "Volver al inicio"},
    "practice.checking": {"en": "checking your solution for {node} …",
                          "es": "comprobando tu solución de {node} …"},
    "practice.sandbox_required": {
        "en": "Checking is disabled: {reason}, so learner code runs only in the full "
              "sandbox, and {detail}. To fix: {fix}.",
        "es": "La comprobación está desactivada: {reason}, así que el código de los alumnos "
              "solo se ejecuta en el entorno aislado completo, y {detail}. Solución: {fix}."},
    "practice.sandbox_missing": {
        "en": "Your code runs without the full sandbox here ({detail}); fine for your own "
              "code on your own machine. To fix: {fix}.",
        "es": "Aquí tu código se ejecuta sin el entorno aislado completo ({detail}); vale "
              "para tu propio código en tu máquina. Solución: {fix}."},
    "access.reason_login": {"en": "this app has a login (`[auth]`)",
                            "es": "esta aplicación tiene inicio de sesión (`[auth]`)"},
    "access.reason_address": {
        "en": "this app serves beyond 127.0.0.1 (`server.address` = `{address}`)",
        "es": "esta aplicación atiende más allá de 127.0.0.1 (`server.address` = `{address}`)"},
    "practice.cannot_write": {"en": "Cannot write `{path}`: {error}",
                              "es": "No se puede escribir `{path}`: {error}"},
    "practice.cannot_start": {"en": "Cannot write the starter: {error}",
                              "es": "No se puede escribir el inicio: {error}"},
    "practice.loaded_file": {"en": "Your solution file changed on disk: loaded it.",
                             "es": "Tu archivo de solución cambió en disco: cargado."},
    "practice.reset_done": {"en": "Back to the starter.", "es": "De vuelta al inicio."},
    "practice.own_editor": {"en": "Use my own editor", "es": "Usar mi propio editor"},
    "practice.own_editor_how": {
        "en": "The editor above edits this file. Open it in VS Code or any editor, save, "
              "then check the file as it is on disk:",
        "es": "El editor de arriba edita este archivo. Ábrelo en VS Code o en cualquier "
              "editor, guarda y comprueba el archivo tal como está en disco:"},
    "practice.own_editor_server": {
        "en": "The path is on the machine that runs this app.",
        "es": "La ruta está en la máquina que ejecuta esta aplicación."},
    "practice.check_file": {"en": "Check file", "es": "Comprobar el archivo"},
    "practice.load_file": {"en": "Load file into the editor",
                           "es": "Cargar el archivo en el editor"},
    "practice.cli_check": {
        "en": "In a terminal: `roadmap lab run {node} --quick --solution {path}`",
        "es": "En una terminal: `roadmap lab run {node} --quick --solution {path}`"},
    "practice.verified": {
        "en": "Verified: your own solution passed every graded check.",
        "es": "Verificado: tu propia solución superó todas las comprobaciones evaluadas."},
    "practice.timed_out": {
        "en": "Your code was stopped: {message}. Look for a loop that never ends.",
        "es": "Se detuvo tu código: {message}. Busca un bucle que nunca termina."},
    "practice.graded": {"en": "**Graded checks**: {passed}/{total} passed",
                        "es": "**Comprobaciones evaluadas**: {passed}/{total} superadas"},
    "practice.shown": {"en": "Demonstrations, not graded ({n})",
                       "es": "Demostraciones, no evaluadas ({n})"},
    "practice.col_hint": {"en": "hint", "es": "pista"},
    "practice.last_check": {"en": "Last check: {when} UTC",
                            "es": "Última comprobación: {when} UTC"},
    "practice.attempts": {"en": "Your attempts", "es": "Tus intentos"},
    "practice.no_attempts": {"en": "No attempts yet: check your code to keep one.",
                             "es": "Aún no hay intentos: comprueba tu código para guardar uno."},
    "practice.attempt_when": {"en": "{when} UTC", "es": "{when} UTC"},
    "practice.attempt_running": {"en": "checking …", "es": "comprobando …"},
    "practice.attempt_unfinished": {"en": "not finished", "es": "sin terminar"},
    "practice.show_code": {"en": "Code", "es": "Código"},
    "practice.attempt_lines": {"en": "{lines} lines · sha256 {sha}",
                               "es": "{lines} líneas · sha256 {sha}"},
    "practice.restore": {"en": "Restore", "es": "Restaurar"},
    "practice.restored": {"en": "Attempt restored into the editor.",
                          "es": "Intento restaurado en el editor."},
    "team.admins_only": {
        "en": "Only a team's admins add or remove its members.",
        "es": "Solo los administradores de un equipo añaden o quitan miembros."},
}


def t(key: str, **fmt: Any) -> str:
    """The text ``key`` in the chosen language, formatted with ``fmt``.

    An unknown key shows as itself (a test fails on any key the code uses that is not
    here, so that is only ever seen during development).
    """
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry.get(state.lang()) or entry["en"]
    return text.format(**fmt) if fmt else text


def node_title(rm: Roadmap, node_id: str) -> str:
    """A node's title in the chosen language, from the roadmap (the id when unknown)."""
    node = rm.nodes.get(node_id)
    return node.title_in(state.lang()) if node else node_id
