"""The baseline rule library: its files load, every rule is one the console would accept,
it catches what it is for and leaves ordinary family life alone, a broken file is refused
with a message that says where, and ``load_rule_library`` is idempotent."""

from __future__ import annotations

import dataclasses
import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from homeward.screening import engine
from homeward.screening.library import LibraryError, library_entries, load_library
from homeward.screening.library.loader import CATEGORIES, LIBRARY_DIR, library_version
from homeward.screening.models import Rule, RuleChange, RuleSetVersion, Scope
from homeward.screening.rule_checks import check_fields


@pytest.fixture(scope="module")
def library() -> list[engine.RuleSpec]:
    return load_library()


def test_the_library_covers_every_category_in_both_languages(library):
    assert 150 <= len(library) <= 600
    for language in ("en", "es"):
        specs = [s for s in library if str(s.id).startswith(f"lib:{language}:")]
        assert {s.category for s in specs} == set(CATEGORIES), language
    assert [s.id for s in library[:2]] == ["lib:en:1", "lib:en:2"]
    assert {s.kind for s in library} == {"phrase", "tolerant", "regex", "near"}
    assert {s.action for s in library} == {"flag", "block", "exception"}


def test_every_rule_says_why_and_passes_the_consoles_checks():
    for entry in library_entries():
        spec = entry.spec
        assert entry.note, f"{entry.file} rule {entry.number} has no note"
        check_fields(
            kind=spec.kind,
            pattern=spec.pattern,
            category=spec.category,
            action=spec.action,
            severity=spec.severity,
            other=spec.other,
            distance=spec.distance,
        )


def test_both_engines_compile_the_library_and_agree(library):
    texts = [CAUGHT[0][0], INNOCENT[0], "Tell Lisa s.h.e's d.e.a.d, the dr0n3 dr0p is at 9"]
    for text in texts:
        fast = engine.screen(text, library)
        reference = engine.screen(text, library, engine="reference")
        assert fast == reference


def screen(text: str, library: list[engine.RuleSpec]) -> engine.Verdict:
    return engine.compile_ruleset(library).screen(text, detector_actions={})


CAUGHT = [
    ("I'm going to break out of prison before the transfer.", "escape", "block"),
    ("Plan is still on, I'll make a run for it from the work crew.", "escape", "flag"),
    ("Tell Marcus when I get out I'm going to kill him.", "violence", "flag"),
    ("Somebody needs to put him in the hospital before Friday.", "violence", "block"),
    ("I need a sh4nk before Monday.", "weapons", "flag"),
    ("Put the gun in the diaper bag when you come Saturday.", "weapons", "flag"),
    ("Can you pick up my f e n t a n y l from Dre?", "drugs", "flag"),
    ("The drone drop is at the north fence.", "drugs", "block"),
    ("Tell Lil G the shot caller put a green light on him.", "gang", "block"),
    ("Buy gift cards with the stolen card and send me the codes.", "fraud", "block"),
    ("Send me some nudes tonight.", "sexual", "flag"),
    ("Tell Angela if she testifies against me she'll regret it.", "harassment", "block"),
    ("Get Dre on a three-way call when I call you Sunday.", "relay", "flag"),
    ("Read every third word of my last letter.", "coded", "flag"),
    ("El martes me voy a fugar, ten el carro listo.", "escape", "block"),
    ("Te juro que le voy a quemar la casa con él adentro.", "violence", "block"),
    ("Guárdame el cuete debajo del piso.", "weapons", "flag"),
    ("¿Cuánto por una bolsa de mota?", "drugs", "flag"),
    ("Cobra los cheques robados en diferentes cajeros.", "fraud", "block"),
    ("Dile a Ángela que si testifica contra mí se va a arrepentir.", "harassment", "block"),
    ("Ponme en una llamada de tres con Dre el domingo.", "relay", "flag"),
    ("Lee cada tercera palabra de mi última carta.", "coded", "flag"),
    # how to read a code, whatever it hides
    ("Read the second word of each line, he knows.", "coded", "flag"),
    ("For Uncle Ray, the way Grandpa taught us, every 4th letter.", "coded", "flag"),
    ("The book I sent, page 217. Line 4, word 3. Line 9, word 1.", "coded", "flag"),
    ("When I say the weather's nice it means the night guy is off.", "coded", "flag"),
    ("La primera letra de cada renglón, como siempre.", "coded", "flag"),
    ("Dile a Beto: lee solo la primera letra del resto.", "coded", "flag"),
    ("Si te digo rézale a la virgencita es que ya está el dinero.", "coded", "flag"),
    ("Si te digo la verdad significa que ya está todo listo.", "coded", "flag"),
    ("Tell Pops the grandkids visit Sunday, 2 of them. He knows what it means.", "coded", "flag"),
    ("Los tamales se sirven a las 6. Tú ya sabes lo que quiere decir.", "coded", "flag"),
    # a threat over something that matters, not over a phone call or a birthday
    ("I'm gonna kill you if you testify, I swear.", "violence", "flag"),
    ("I will kill you if you don't pay what you owe.", "violence", "flag"),
    ("Te voy a matar si hablas con la policía.", "violence", "flag"),
    # a shot at a person, not on a hunt; a person, not a hen
    ("Wait for him at the gas station Friday and shoot him when he gets out.", "violence", "flag"),
    ("Take the deer rifle to the lease and shoot him from the stand.", "violence", "flag"),
    ("Al que habló hay que matarlo antes del juicio.", "violence", "flag"),
]


@pytest.mark.parametrize("text, category, verdict", CAUGHT)
def test_the_library_catches_what_it_is_for(library, text, category, verdict):
    result = screen(text, library)
    assert category in result.categories
    assert result.verdict == verdict


INNOCENT = [
    "We did an escape room for Maya's birthday and got out with two minutes left!",
    "I'm killing it at work, they gave me employee of the month.",
    "Got my flu shot today, my arm is so sore.",
    "I spent all Sunday morning trying to weed the garden.",
    "The kids are the bomb, they made me breakfast in bed.",
    "Lily has her school play on Friday, I told her to break a leg.",
    "I'm dying to see you at the next visit.",
    "Shoot me a text when you get your tablet time.",
    "I could kill for a pizza right now.",
    "The kids had a water gun fight and Noah got a Nerf gun for his birthday.",
    "Traffic was murder on the way home. I love you to death.",
    "We're escaping the heat at the lake this weekend.",
    "Maya broke out in hives from the new laundry soap.",
    "Tell Grandma I said hi, and I paid your sister back on Venmo.",
    "Fuimos a una sala de escape para el cumpleaños de Sofía.",
    "Te amo, mijo. Me quiero escapar a la playa este fin de semana.",
    "Got a Diet Coke and some pumpkin spice cookies. See you Wed!",
    "When I say I'm proud of you, I mean it with my whole heart.",
    "Every letter you send means the world to me, I read each one twice.",
    "Si te digo la verdad, ya no aguanto el frío de este invierno.",
    "Si te digo la verdad, es que ya no aguanto el frío de este invierno.",
    "Maya's spelling homework: write the first letter of your name on every page.",
    "He got his CDL! Says truck stop coffee is gonna kill him before the road does lol",
    "Your mom is gonna kill you when she sees what you did to the car.",
    "She's dead serious about the tamales, nobody touches them before Christmas Eve.",
    "Shoot me a message when you can, and shoot her a pic of the baby too.",
    "I'm gonna kill you if you don't call me Sunday, love you tho",
    "If you forget my birthday AGAIN I'm going to kill you. March 3rd.",
    "Te voy a matar si no me llamas el día de mi cumpleaños jaja",
    "Daddy dropped a big 10 point this morning, shot him at about 150 yards with the .270.",
    "Grandmama say she gone kill you when you get home for not writing her back",
    "Mañana vamos a matar la gallina pinta para el caldo de tu abuela.",
    "La gallina de tu abuela ya no pone, hay que matarla para el caldo.",
]

# Code words agreed on before: a key given in quotes or numbers after "we agreed".
CODE_WORDS = [
    "Remember what we set up before: 'the recipe' means the package, 'church' means Tuesday.",
    "Ya sabes lo que acordamos: 'la boda' es la entrega y 'las rosas' son los celulares.",
    "Los números que quedamos: 3 son los chips y 7 es el domingo.",
    "Acuérdate de la clave que acordamos: 1 es el cargador, 2 es la tarjeta.",
    "From now on in my letters, Grandpa means the PO and the garden means the spot.",
    "De ahora en adelante, cuando te diga que llueve significa que ya llegó.",
    "Cuando te pregunte por el tío, esa es la señal que acordamos.",
    "3-9-2-7. You know what the numbers mean.",
    "Read it the old way, every 3rd word, starting after this line.",
    "Like we said at the visit: 'las rosas' = the money, 'los primos' = the cops.",
    "Remember the football code: 'Cowboys win' means everything is good.",
    "Okay so from now on, Mom means the PO and the dog means the cops.",
    "Desde ahora, cuando diga 'la tía', léelo como 'la policía'.",
    "como quedamos, 'la tía está enferma' means they came to the house",
]


@pytest.mark.parametrize("text", CODE_WORDS)
def test_code_words_agreed_on_before_are_flagged_as_coded(library, text):
    result = screen(text, library)
    assert result.verdict == "flag"
    assert {h.category for h in result.hits} == {"coded"}


@pytest.mark.parametrize(
    "text",
    [
        "Like we said at the visit, the lawyer is coming Tuesday.",
        "'Te amo' means I love you, teach the baby to say it.",
        "Como quedamos, el sábado te llevo a los niños a la visita.",
        "Quedamos que el 24 es la cena en casa de tu tía.",
        "From now on Sundays are pancake days, the kids voted.",
        "From now on bedtime means bedtime, the kids are out of control.",
        "Desde ahora ya no como tortillas, es que el doctor me regañó.",
        "Tu hija quedó la primera en todas las materias, la maestra la felicitó.",
        "El último de cada mes pagamos la renta.",
        "Every second word out of his mouth is a lie, that lawyer.",
        "The code we set up for the Netflix account still works.",
        "We agreed the Garcias' is where Thanksgiving is this year.",
        "You know what these numbers mean? My cholesterol finally went down.",
    ],
)
def test_a_plan_or_a_word_explained_is_no_code(library, text):
    assert screen(text, library).verdict == "clear"


@pytest.mark.parametrize("text", INNOCENT)
def test_ordinary_family_messages_are_clear(library, text):
    result = screen(text, library)
    assert result.verdict == "clear", [(h.rule, h.text) for h in result.hits]


# --- broken files ------------------------------------------------------------------------

GOOD = """
[[rule]]
kind = "phrase"
pattern = "bust out"
category = "escape"
action = "flag"
severity = 2
note = "Slang for escaping."
"""


@pytest.mark.parametrize(
    "entry, problem",
    [
        ('kind = "fuzzy"\npattern = "x y"', "unknown kind 'fuzzy'"),
        ('kind = "phrase"\npattern = "jail"\ncategory = "parking"', "unknown category 'parking'"),
        ('kind = "phrase"\npattern = "jail"\naction = "delete"', "unknown action 'delete'"),
        ('kind = "phrase"\npattern = "x"', "empty or one letter"),
        ('kind = "phrase"\npattern = "   "', "empty or one letter"),
        ('kind = "phrase"\npattern = "jail"\nseverity = 7', "severity is 1"),
        ('kind = "near"\npattern = "kill"\nother = "him"', "distance from 1 to 20"),
        ('kind = "phrase"\npattern = "jail"\ncolour = "red"', "unknown field"),
        ('kind = "regex"\npattern = "(unclosed"', "regular expression has a mistake"),
        ('kind = "phrase"\npattern = "bust out"', "duplicate of en.toml rule 1"),
    ],
)
def test_a_broken_entry_is_refused_naming_the_file_and_the_entry(tmp_path, entry, problem):
    defaults = {"category": '"escape"', "action": '"flag"', "severity": "1"}
    lines = entry.splitlines()
    for name, value in defaults.items():
        if not any(line.startswith(f"{name} =") for line in lines):
            lines.append(f"{name} = {value}")
    (tmp_path / "en.toml").write_text(GOOD + "\n[[rule]]\n" + "\n".join(lines) + "\n", "utf-8")
    with pytest.raises(LibraryError) as caught:
        load_library(["en"], directory=tmp_path)
    assert str(caught.value).startswith("en.toml, rule 2")
    assert problem in str(caught.value)


def test_a_duplicate_across_languages_and_bad_toml_are_refused(tmp_path):
    (tmp_path / "en.toml").write_text(GOOD, "utf-8")
    (tmp_path / "es.toml").write_text(GOOD.replace('"Slang', '"Jerga'), "utf-8")
    with pytest.raises(LibraryError, match="es.toml, rule 1 .*duplicate of en.toml rule 1"):
        load_library(directory=tmp_path)
    (tmp_path / "es.toml").write_text("[[rule]\nkind = ", "utf-8")
    with pytest.raises(LibraryError, match="es.toml: not valid TOML"):
        load_library(directory=tmp_path)
    with pytest.raises(LibraryError, match="fr.toml: no such library file"):
        load_library(["fr"], directory=tmp_path)


# --- manage.py load_rule_library ---------------------------------------------------------


def run_loader(*args: str) -> str:
    out = StringIO()
    call_command("load_rule_library", *args, stdout=out)
    return out.getvalue()


def baseline() -> dict[str, Rule]:
    return {row.source: row for row in Rule.objects.filter(scope=Scope.BASELINE)}


@pytest.mark.django_db
def test_loading_creates_the_baseline_once_and_again_changes_nothing(world):
    count = len(library_entries())
    assert f"{count} created, 0 updated, 0 switched off, 0 unchanged" in run_loader()
    rows = baseline()
    assert len(rows) == count
    first = rows["lib:en:1"]
    assert (first.pattern, first.action, first.scope) == (
        "break out of prison",
        "block",
        "baseline",
    )
    assert first.note == "Plans to escape custody."
    assert RuleChange.objects.filter(what="created", actor_label="rule library").count() == count
    versions = RuleSetVersion.objects.count()
    assert versions == 3  # the baseline alone and each of the two facilities
    assert f"0 created, 0 updated, 0 switched off, {count} unchanged" in run_loader()
    assert RuleSetVersion.objects.count() == versions
    assert Rule.objects.count() == count


@pytest.mark.django_db
def test_loading_restores_edited_fields_keeps_switched_off_rules_off_and_retires_old_ones(
    world,
):
    run_loader()
    rows = baseline()
    Rule.objects.filter(pk=rows["lib:en:1"].pk).update(action="flag", severity=1)
    Rule.objects.filter(pk=rows["lib:en:2"].pk).update(is_active=False)
    retired = Rule.objects.create(
        scope=Scope.BASELINE,
        kind="phrase",
        pattern="old slang",
        category="escape",
        source="lib:en:9999",
    )
    out = run_loader()
    assert "0 created, 1 updated, 1 switched off" in out
    rows = baseline()
    assert (rows["lib:en:1"].action, rows["lib:en:1"].severity) == ("block", 3)
    assert rows["lib:en:2"].is_active is False  # an operator's decision stands
    retired.refresh_from_db()
    assert retired.is_active is False
    assert RuleChange.objects.filter(rule=retired, what="disabled").exists()
    edit = RuleChange.objects.get(rule=rows["lib:en:1"], what="edited")
    assert edit.before["action"] == "flag" and edit.after["action"] == "block"


@pytest.mark.django_db
def test_only_the_named_language_is_loaded_and_check_writes_nothing(world):
    assert "rules checked; nothing written" in run_loader("--check")
    assert Rule.objects.count() == 0
    run_loader("--language", "es")
    assert {row.source.split(":")[1] for row in Rule.objects.all()} == {"es"}


@pytest.mark.django_db
def test_a_broken_library_is_refused_and_nothing_is_saved(world, tmp_path):
    (tmp_path / "en.toml").write_text(GOOD + GOOD.replace("Slang", "Again"), "utf-8")
    with pytest.raises(CommandError, match="en.toml, rule 2 .*duplicate"):
        run_loader("--language", "en", "--directory", str(tmp_path))
    regex = GOOD.replace('"phrase"', '"regex"').replace('"bust out"', '"(a+)+b"')
    (tmp_path / "en.toml").write_text(regex, "utf-8")
    with pytest.raises(CommandError, match="en.toml, rule 1: .*very slow"):
        run_loader("--language", "en", "--directory", str(tmp_path))
    assert Rule.objects.count() == 0


def test_the_library_files_are_where_the_docs_say():
    """The rules in en.toml and es.toml; beside them the data of the other layers."""
    assert {p.name for p in Path(LIBRARY_DIR).glob("*.toml")} == {
        "en.toml",
        "es.toml",
        "concepts.toml",
        "slang.toml",
    }
    assert (Path(LIBRARY_DIR) / "classifier.json").exists()


@pytest.mark.django_db
def test_migrating_a_database_with_no_library_installs_the_whole_library(settings):
    settings.SCREENING_LIBRARY_ON_MIGRATE = True  # the default of a deployment
    assert not Rule.objects.exists()
    call_command("migrate", verbosity=0)
    baseline = Rule.objects.filter(scope=Scope.BASELINE, is_active=True)
    assert baseline.count() == len(library_entries()) >= 400
    # A deployment that switched a library rule off keeps its choice on the next migrate.
    switched = baseline.first()
    assert switched is not None
    Rule.objects.filter(pk=switched.pk).update(is_active=False)
    call_command("migrate", verbosity=0)
    assert (
        Rule.objects.filter(scope=Scope.BASELINE, is_active=True).count()
        == len(library_entries()) - 1
    )


@pytest.mark.django_db
def test_a_deployment_can_choose_to_start_without_the_library(settings):
    settings.SCREENING_LIBRARY_ON_MIGRATE = False
    call_command("migrate", verbosity=0)
    assert not Rule.objects.exists()


def test_the_library_version_changes_with_any_rule_and_only_then():
    entries = library_entries()
    assert library_version(entries) == library_version(list(reversed(entries)))
    first = entries[0]
    changed = dataclasses.replace(
        first, spec=dataclasses.replace(first.spec, pattern=first.spec.pattern + "x")
    )
    assert library_version([changed, *entries[1:]]) != library_version(entries)


@pytest.mark.parametrize("part", ["frozen", "validation"])
def test_the_parts_never_tuned_on_are_unchanged_since_their_hashes_were_committed(part):
    folder = Path(__file__).resolve().parents[1] / "evaluation" / part
    expected, name = (folder / "SHA256SUMS").read_text().split()
    assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == expected
