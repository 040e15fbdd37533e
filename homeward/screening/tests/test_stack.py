"""The layers together, as production screens a message: what each adds to the rules, that
no layer blocks on its own, that decoded text is screened again, and that exception rules
and names cancel layer hits as they cancel rule hits."""

from __future__ import annotations

import codecs

import pytest

from homeward.screening import engine
from homeward.screening.engine import RuleSpec
from homeward.screening.layers.stack import EVERY_LAYER, WITHOUT_CLASSIFIER, Layers
from homeward.screening.tests.test_decoders import MOVE_IT_NOW


def screen(compiled, text: str, layers: Layers | None = WITHOUT_CLASSIFIER) -> engine.Verdict:
    return compiled.screen(text, detector_actions={}, layers=layers)


def by_layer(verdict: engine.Verdict) -> dict[str, list[engine.Hit]]:
    found: dict[str, list[engine.Hit]] = {}
    for hit in verdict.hits:
        found.setdefault(hit.layer, []).append(hit)
    return found


@pytest.mark.parametrize(
    ("text", "layer", "category"),
    [
        ("Make a knife from the tray and keep it hidden for the fight", "concept", "weapons"),
        (
            "Find the victim's new address and make sure she knows we are watching",
            "concept",
            "harassment",
        ),
        ("yo the toolie still in the stash box in the Impala?", "slang", "weapons"),
        ("Dile al Chaparro que cuando salga le voy a dar piso", "slang", "violence"),
        ("el fierro está debajo del colchón, no le digas a nadie", "concept", "weapons"),
        ("Put the snuff in the diaper bag, they don't ever check it", "concept", "drugs"),
        ("cuéntame con detalle como te tocas pensando en mí", "concept", "sexual"),
        ("conéctame en tres vías con el Toro cuando me llames", "concept", "relay"),
        # authors M and N's parts
        ("Consígueme una llavecita de las esposas y cósela en la bastilla", "slang", "escape"),
        ("Find me a handcuff key, tiny one, and tape it under the card", "slang", "escape"),
        ("Métela la sierra de alambre en el cordón de la sudadera", "slang", "escape"),
        ("Pídele a tu cuñado los planos del penal de la remodelación", "slang", "escape"),
        (
            "Apply for the unemployment with your cousin's name, he'll never know",
            "concept",
            "fraud",
        ),
        (
            "Put the grant money in under your aunt's business, they barely check the payroll",
            "concept",
            "fraud",
        ),
        ("When you're home I'm making you finish twice before breakfast", "concept", "sexual"),
        # authors O and P's parts
        ("i washed em and wrote new amounts, cashed two at different banks", "slang", "fraud"),
        (
            "Run the settlement through the taco truck a little at a time so it looks like"
            " regular business",
            "slang",
            "fraud",
        ),
        ("Escríbeme con jugo de limón entre las líneas, lo importante nomás", "slang", "coded"),
        # authors Q and R's parts
        (
            "Mi primo ya tiene el dron, el sábado lo vuela por la cancha con 2 phones",
            "slang",
            "drugs",
        ),
        (
            "lo que le hicieron a mi hermano lo va a pagar con sangre",
            "concept",
            "violence",
        ),
        (
            "cópiala con tu letra y mándasela a mi compa en Hartford, no pongas mi nombre",
            "concept",
            "relay",
        ),
        ("si ella cambia su statment le damos 500, nadie tiene que saber", "concept", "harassment"),
        (
            "Tell Smiley the new kid pays his share every month, the varrio decided",
            "concept",
            "gang",
        ),
    ],
)
def test_meaning_is_caught_where_the_rules_alone_pass(compiled, text, layer, category):
    assert screen(compiled, text, layers=None).verdict == "clear"
    verdict = screen(compiled, text)
    assert verdict.verdict == "flag"
    hits = by_layer(verdict)[layer]
    assert category in {h.category for h in hits}
    for hit in hits:
        assert hit.text == text[hit.start : hit.end] and hit.detail


@pytest.mark.parametrize(
    "text",
    [
        "that new album is dope, play it when you get out",
        "El perico de tu abuela ya aprendió a decir tu nombre",
        "Tu tío andaba bien cuete en la boda",
        "Your nephew killed it at the spelling bee today, second place!",
        "Coach Glock said practice moved to Thursday.",
        "we did an escape room for her birthday and lost lol",
    ],
)
def test_hard_innocent_messages_stay_clear_with_every_layer(compiled, text):
    verdict = screen(compiled, text, layers=EVERY_LAYER)
    assert verdict.verdict == "clear", verdict.hits


@pytest.mark.parametrize(
    "text",
    [
        "Your uncle took the boys out and Junior shot his first javelina at the ranch.",
        "Tu tía se cortó con el cuchillo picando chile para los tamales, nada grave.",
        "I got your old Buck knife sharpened and put it back in your tackle box.",
        "Long shift at the nursing home. Mrs. Lopez tried to escape again, got all the way to"
        " the parking lot before we caught her.",
        "The reentry program will pick you up at the gate and take you to get your ID.",
        "Got my first tattoo on my ankle, hurt like hell but worth it.",
        "Ya vacunamos las vacas y les pusimos el fierro del rancho.",
        "We were out in the ice shanty all day with the heater going, caught nothing.",
        "The fry bread stand sold out at the powwow. Jordan danced grass and took second.",
        "Tu hermano anda echando bala en el jale, doble turno toda la semana.",
        "Y tu abuelita te manda decir que no se le olvida rezarte el rosario cada noche.",
        "At the NA meeting a guy told his story about cooking meth. Recovery is real.",
        "Sr. Hernández, le escribe su abogada de la Defensoría Pública: el laboratorio dice que"
        " la sustancia es cocaína. Vamos a impugnar el registro del carro.",
        "Mr. Nguyen, the restitution hearing is set. The victim is claiming $4,200 for repairs.",
        "la telenovela está buenísima, la mala ya envenenó a la suegra y nadie sospecha",
        "Te deposité 25 en el teléfono para que llames el domingo, ya pagamos la luz.",
        "Put $20 on the phone so you can call Sunday, the kids want to tell you about camp.",
        "Ambulance shift: a man got shot in the leg, I put the tourniquet on and he made it.",
        "Your cousin got his limit of ducks by 8. That boy can shoot.",
        "lowkey tweaking bc i locked my keys in the car at work again",
        "the opps in Fortnite was tweaking last night, i dropped 14 kills solo",
        "Mom took my Xbox cause I was yelling SHOOT HIM at midnight, it was a clutch",
        "coach said im starting at QB friday, we finna smoke them boys from Westside",
        "El abogado de oficio explicó que la orden de protección significa que no puedes"
        " tener contacto con ella, ni por carta ni por teléfono.",
        "the new Warzone map got a prison you gotta break out of and I thought of you lol",
        "Sampled an old soul record, put some 808s on it. It's a banger. Lyrics coming.",
        "the shop said the brake lines was cut by rust lol, got them replaced",
        "En urgencias llegó un señor con una herida de machete que se hizo cortando caña.",
        "Mi amor estoy que mato a alguien de hambre, salí del turno a las 11.",
        "Fui con el curandero, dice que alguien me echó mal de ojo. Ya duermo mejor.",
        "La perrita Mota ya tuvo sus cachorros, seis bolitas negras.",
        "Ya compré la merca para la semana, arroz, frijol, aceite y la leche del niño.",
        "Me muero de risa, la chiva se comió la ropa tendida de doña Carmen.",
        "El patrón nos dio herramienta nueva, una pistola de clavos que da miedo.",
        "They fixed the gate at the apartments, new keys for everybody. I'll make you a copy.",
        "Ya le puse 25 dólares de crédito a tu cuenta del teléfono para que me llames.",
        "Ya casi juntamos lo de tu fianza, tu hermana me mandó 800 por Zelle.",
        "La abogada me explicó que tengo derecho a no declarar y que no hablemos nada del caso"
        " por aquí.",
        "Tu abuela manda decir gracias por las fotos, ya las puso en la sala.",
        "Dad quit smoking, he's on the patches and chewing the nicotine gum like a maniac.",
        "I got a Ring camera, I can see everybody who comes to the door now lol",
        "Fui a Western Union a mandarle a tu abuela y me pidieron el ID y todo.",
        "Canelo beat the brakes off that dude in the ninth round, I almost cried.",
        "She got into the rat poison in the garage, I moved all that stuff up high where she"
        " can't get it.",
        "I'm hauling steel coils to Phoenix this week, then picking up produce in Yuma.",
        "tu tío Beto is making his cuete mechado, el que lleva tocino y chile",
        "Church youth group is doing a lock-in friday. They lock the doors at 10 and nobody"
        " leaves til 7am.",
        "Fuimos al doctor y le cambiaron las pastillas, ahora toma oxycodone por la cadera."
        " Yo le cuento las pills cada semana.",
        "The salon got robbed again, nobody hurt. Uncle Tuan put a new camera by the back door.",
        "Did you see Talladega? The big one took out half the field, cars flipping everywhere.",
        "cousin Jimmy's car caught fire on lap 12 at the dirt track, he jumped out fine",
        "tu sobrino anda diciendo 'you're sus, I'm gonna kill you' por el Among Us",
        "He's building a prison in Minecraft with a secret tunnel under the bed lol",
        "Glock the dog update: she ate a whole stick of butter and a sock.",
        "Hicimos carne de chivo en pozo toda la noche, estaba pa chuparse los dedos.",
        "A tu abuela la van a operar el lunes. Le van a dar morfina pal dolor.",
        "The chaplain mentioned a victim-offender dialogue program. I went to the session.",
        "Mami dice q no te cortes el pelo con el barbero de ahí jaja",
        "Tía Lupe trajo un machete de recuerdo pa mi papá, lo colgó en la pared.",
        "Tu sobrina hizo un dibujo de ti con uniforme naranja y rejas, la maestra se asustó.",
        "Anoche cruzamos a la carne asada, tres horas en la garita, la migra revisa todo.",
        # idioms and everyday words (authors M and N's parts)
        "Grandma says if he eats the pie early she'll end him. She's dead serious lol",
        "He was hollering like somebody shot him when the ice water hit his back jajaja",
        "Hay que matar la carne cada día, hermano, la palabra nos fortalece.",
        "La banda de tu prima rompió madre con el danzón en el carnaval.",
        "Aquí en el barrio la cosa está en candela con este calor, ni los perros salen.",
        "Cortamos toda la hierba del patio, ya llegaba a la rodilla.",
        "Me tomé una Coca de vidrio bien fría en la pulga, como cuando eras niño.",
        "Ya bajé 15 libras con la dieta del doctor, sin tortillas ni pan.",
        "Saqué a crédito el refri en Elektra, lo voy pagando con la tanda.",
        "El hermano dio su testimonio de cuando andaba en las drogas y cómo Dios lo sacó.",
        "Pelea la buena batalla de la fe allá adentro, mijo.",
        "Shoot her a text when you get your tablet, she wants to hear from you.",
        "When you get home you're riding shotgun in the Chevelle to the car show.",
        "Only if you don't kill the clutch this time, it's a new one.",
        "The wind out here is going to kill me, three days of dust.",
        "That bull threw him so hard we all thought it was gonna kill him, he walked away.",
        "The log truck rode the runaway ramp coming down off Mt. Hood, driver was fine.",
        "I got robbed on the waiver wire again, fantasy football is rigged.",
        "Deep in the weeds on sauté tonight, chef screaming tickets at us.",
        "Froze in the duck blind till the birds came in, dog broke through the ice.",
        "On New Year's your tíos shot off cuetes all night at the rancho.",
        "En la fiesta del pueblo quemaron los toritos de cuetes en el atrio.",
        "Tu tío mató el puerco temprano y afiló los cuchillos en la piedra para la carne.",
        "Mijo, te hice una carta que nomás dice TE AMO con letras de colores.",
        "Working the fireworks stand, sold out of the big 500-gram cakes by Friday.",
        "Got burned by the hot tar kettle on the roof today, just a blister.",
        "Capture the flag at paintball, I shot two guys guarding it and ran it home.",
        "Have you heard that true crime podcast about the murder in the grain bin?",
        "We put you both on speaker so grandma could hear the baby laugh.",
        "his share of the pizza is in the fridge, the homies ate the rest",
        "Jessica got a job doing payroll, she says the boss never checks anything.",
        "Got a new saw blade for the miter saw, the deck is almost done.",
        "The diner reopened and it looks like regular business again.",
        "Found an invisible ink pen in the kids' Christmas stockings.",
        "143 baby, that's I love you in pager code, like in high school.",
        "My job got a drone for roof inspections, I crashed it into a tree the first day.",
        "We flew the drone in the yard for Eli's birthday, he loved it.",
        "Jesus paid in blood for every one of us, baby.",
        "La libertad se paga con sangre, decía tu abuelo el veterano.",
        "Sofi has no panties that fit, I'm buying more at Walmart.",
        "The old house is sitting on brick, the inspector said.",
        "Meet Bandit, our new beagle. He already escaped the baby gate twice.",
        "El Místico le rompió la cara en el ring al otro luchador, la Arena estaba llena.",
        "Ya saqué la lavadora en el Coppel en pagos, ya no voy a la lavandería.",
        "Se me fueron veinte dólares en los jeans a la lavadora, ya lavé dinero jajaja",
        "Me mataron los pies en la empacadora, doble turno otra vez.",
        "Your cousin got his flu shot and his arm is killing him, acting like he got shot lol",
        "Fuimos a la feria y te compré un llavero de la Virgen.",
        "Estamos viendo la serie del Chapo en Netflix, la parte del túnel en la regadera.",
        "Ellohay addyday, Iay ovelay ouyay! That's pig Latin, Mom taught us at dinner tonight"
        " and we laughed the whole time. Love, your girls",
    ],
)
def test_work_hunting_recovery_and_court_words_in_context_stay_clear(compiled, text):
    """Each of these was flagged by a concept or slang entry read without its context: a
    trade, a hunt, a ranch, a recovery meeting, a television story, a lawyer's letter, a
    message coming in ("te manda decir"), a word that shares its key with another ("hell"
    and "heel")."""
    verdict = screen(compiled, text)
    assert verdict.verdict == "clear", verdict.hits


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("la malla está floja detrás de los tanques, ahí espérame la noche que te avise", "escape"),
        ("bring the pills in the heel of your shoe at the visit", "drugs"),
        ("Mándale a decir al Chuy que ya no le hable a la testigo", "relay"),
        ("the fierro is under the seat of the troca, go get it", "weapons"),
        ("my boy in the kitchen can take a phone if you put money on his books", "drugs"),
        ("he been tweaking on that glass for three days, tell him I need the plug", "drugs"),
        ("when he comes out the chow hall shoot him, I'm not playing", "violence"),
        ("Put the gun in the diaper bag Saturday, they never search the baby stuff", "weapons"),
        ("the camera by the back fence been out for weeks, go over Saturday night", "escape"),
        ("dig a tunnel under the fence behind the laundry, they never check it", "escape"),
        ("El custodio de la garita dos te abre, te espera el Chele con el carro afuera", "escape"),
        # what a sender could write to borrow an innocent context
        (
            "Per our call, get her to change her statement before the hearing or her kids pay"
            " for it",
            "harassment",
        ),
        ("bring the heat kill him when he comes out", "violence"),
        ("Tell your mom we gonna kill him when he gets out", "violence"),
        ("Turn off the xbox and kill him tonight", "violence"),
        (
            "hide it in the lego box, the tunnel under the fence behind the laundry is ready",
            "escape",
        ),
        ("he's getting stabbed when he comes out, first round of chow", "violence"),
        ("keep the piece taped on the wall behind the locker, they won't look", "weapons"),
        ("Glock, the dog knows, is in the car under the seat, go get it tonight", "weapons"),
        ("the order is 4817 3928, tell him", "coded"),
        ("ill-kay im-hay onight-tay", "violence"),
        # borrowing this session's idioms: each holds the innocent phrase, and is still flagged
        ("make it look like somebody shot him, nobody will know", "violence"),
        ("the gas could kill them, leave the stove on when they sleep", "violence"),
        ("he got his flu shot Tuesday, get him shot Friday when he leaves the clinic", "violence"),
        ("I lost 5 pounds of weed at the spot, find who took it", "drugs"),
        ("ride shotgun and bring the shotgun, it's under the seat", "weapons"),
        ("mándame dos cocas grandes de la buena con la visita", "drugs"),
        ("mis compas le van a dar una golpiza a ese vato, luego unas cervezas", "violence"),
        ("Mete la pistola en el puerco que traen para la barbacoa", "weapons"),
        ("dile que cambie su testimonio, ya pagué", "harassment"),
        ("Esconde el cuete en el rancho, cuando llegue le disparas", "weapons"),
        ("Hide the handcuff key in the toy car you bring to visit", "escape"),
        ("Move the ice down by the river spot tonight, get the money", "drugs"),
        # the second review's
        (
            "take his card and pin and withdraw it all, then file a police report so they"
            " refund him",
            "fraud",
        ),
        ("Get the deer rifle out of the truck and shoot him when he pulls up.", "violence"),
        ("That snitch leaves in a body bag before his funeral is even planned", "violence"),
        ("Mi amor, 8-5-18-15-9-14 en la visita. Ya sabes qué significan los números.", "coded"),
        # the last read of the whole change
        ("Hide the handcuff key in the halloween costume you bring to visit", "escape"),
        ("le rompieron madre con la banda en el patio al soplón", "violence"),
        ("le dieron con el cuete en la plaza, traigo el cuete con quince balas", "weapons"),
        ("hay que hacer un túnel como el Chapo, por el túnel debajo de la regadera", "escape"),
        ("That snitch leaves in a body bag by halloween", "violence"),
        ("fly the drone over the roof of C block with the phones", "drugs"),
        ("get the gun and put him down when he comes out", "weapons"),
        ("Los del cártel quieren la plaza para la fiesta, vendemos ahí", "gang"),
        ("el palabrero quiere su feria el viernes", "gang"),
        ("Le rompieron madre en el patio al soplón, que se calle", "violence"),
        ("le rompió madre con un tubo al que me robó", "violence"),
        ("la cosa está buena, mándala con la visita en el pañal", "drugs"),
        (
            "Go to the hardware store and get the thin hacksaw blades, glue them in the Bible",
            "escape",
        ),
        (
            "márcale a la señora, dile que su nieto está detenido y que deposite 3 mil para la"
            " fianza por Western Union a mi nombre",
            "fraud",
        ),
    ],
)
def test_what_the_contexts_leave_alone_is_still_caught(compiled, text, category):
    assert category in screen(compiled, text).categories


def test_no_layer_blocks_on_its_own(compiled):
    verdict = screen(compiled, "Make a knife from the tray and keep it hidden for the fight")
    assert {h.action for h in verdict.hits} == {"flag"}
    assert verdict.verdict == "flag"


def test_a_coded_text_is_decoded_and_screened_again(compiled):
    hidden = codecs.encode("escape tonight over the fence", "rot13")
    text = f"Uncle says: {hidden}"
    unread = Layers(decoders=False, language=False)
    assert screen(compiled, text, layers=unread).verdict == "clear"
    verdict = screen(compiled, text)
    [decoded] = by_layer(verdict)["decoder"][:1]
    assert decoded.rule.startswith("decoder:")
    assert decoded.category == "escape"
    assert "escape tonight over the fence" in decoded.detail
    assert hidden in decoded.text  # the span is the coded text as written


def test_a_decoded_text_nothing_hits_is_still_coded(compiled):
    text = "Remember what we said: 20-8-5 16-1-3-11-1-7-5 9-19 9-14 20-8-5 2-12-21-5 3-1-18"
    verdict = screen(compiled, text)
    decoded = by_layer(verdict)["decoder"]
    assert {h.category for h in decoded} == {"coded"}
    assert "the package is in the blue car" in decoded[0].detail


def test_an_exception_rule_cancels_the_layer_hits_it_overlaps(library):
    text = "yo the toolie still in the stash box in the Impala?"
    exception = RuleSpec("mine", "phrase", "the toolie", "weapons", "exception")
    compiled = engine.compile_ruleset([*library, exception])
    verdict = compiled.screen(text, detector_actions={}, layers=WITHOUT_CLASSIFIER)
    assert "weapons" not in verdict.categories


def test_a_message_in_a_language_not_screened_is_flagged(compiled):
    verdict = screen(compiled, "Mahal kita anak ko, kumain ka na ba? Miss na miss ka na namin.")
    assert [h.layer for h in verdict.hits] == ["language"]
    assert verdict.verdict == "flag"


def test_the_classifier_only_flags_and_says_why(compiled):
    text = (
        "Bring the thing to the yard after count, hide it good, he owes the crew and pays tonight"
    )
    verdict = screen(compiled, text, layers=EVERY_LAYER)
    assert verdict.verdict != "block"
    learned = by_layer(verdict).get("classifier", [])
    for hit in learned:
        assert (hit.action, hit.start, hit.end, hit.rule) == ("flag", 0, len(text), "classifier")
        assert "score" in hit.detail


# --- lone words of the library --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "they got an 8 point buck opening day with the old rifle. freezer is full",
        "Doctor says Grandma needs a shot in her knee. She calls it getting stabbed by the nurse.",
        # two different lone words, paragraphs apart
        "El abogado dice que el fiscal puede retirar el cargo de la pistola si aceptas lo de"
        " la posesión. No me ilusiono todavía, pero rezo. La nena ya camina sola y se ríe de"
        " todo, tu hermana le compró zapatos nuevos y la llevamos al parque el domingo con"
        " tus primos. Comimos helado de coco y nos quedamos hasta que oscureció.\n\n"
        "El perico de abuela sigue diciendo tu nombre todos los días.",
    ],
)
def test_a_plain_lone_word_of_the_library_needs_another_hit(compiled, text):
    assert screen(compiled, text, layers=None).verdict == "flag"  # the rules alone
    assert screen(compiled, text).verdict == "clear"


@pytest.mark.parametrize(
    "text",
    [
        "they got a buck opening day with the old r1fle",  # disguised
        "they got a buck opening day with the old ｒｉｆｌｅ",  # full-width
        "they got a buck opening day with the old r\u200bi\u2060fle",  # invisible between
        "they got a buck opening day with the old r\u0335i\u0335fle",  # struck through
        "bring the rifle and the bomb",  # two different lone words
        "bring the rifle to the yard after count, hide it in your cell",  # with a concept
    ],
)
def test_a_lone_word_disguised_or_beside_another_hit_still_counts(compiled, text):
    assert screen(compiled, text).verdict == "flag"


def test_a_facilitys_own_lone_word_counts_alone(library):
    own = RuleSpec("mine", "phrase", "tunnel", "escape", "flag")
    compiled = engine.compile_ruleset([*library, own])
    assert screen(compiled, "the kids dug a tunnel in the sandbox").verdict == "flag"


# A lawyer's letter about the case: its only hits are the library's weakest words.
LAWYER_ES = (
    "Estimado Sr. Vega: le recuerdo que la orden de protección sigue vigente. No puede"
    " comunicarse con la víctima ni por terceros. El cargo de arma de fuego se discute el"
    " martes."
)
LAWYER_EN = (
    "Dear Mr. Lee, the protective order stays in place until trial. The State's offer is"
    " still open. Do not contact the victim in any way."
)


@pytest.mark.parametrize("letter", [LAWYER_ES, LAWYER_EN])
def test_a_lawyers_letter_with_only_the_weakest_words_is_clear(compiled, letter):
    assert screen(compiled, letter, layers=None).verdict == "flag"  # the rules alone
    assert screen(compiled, letter).verdict == "clear"
    # The same words without the lawyer's voice still flag.
    plain = letter.replace("Estimado Sr. Vega", "Oye").replace("Dear Mr. Lee", "Listen")
    assert screen(compiled, plain.replace("The State's", "Their")).verdict == "flag"


def test_a_lawyers_letter_with_a_threat_in_it_is_flagged(compiled):
    verdict = screen(compiled, LAWYER_EN + " Have Junior bring the shank to the visit.")
    assert verdict.verdict != "clear"
    assert {h.rule for h in verdict.hits} > {h.rule for h in screen(compiled, LAWYER_EN, None).hits}


def test_a_facilitys_own_weakest_rule_counts_in_a_lawyers_letter(library):
    own = RuleSpec("mine", "phrase", "protective order", "harassment", "flag", severity=1)
    compiled = engine.compile_ruleset([*library, own])
    assert "mine" in {h.rule for h in screen(compiled, LAWYER_EN).hits}


@pytest.mark.parametrize(
    "aside", ["She moved out of state last year.", "She stated it to the police.", "Lo despachó."]
)
def test_a_word_a_family_also_says_is_no_lawyers_voice(compiled, aside):
    verdict = screen(compiled, f"find out where the witness lives and go see her. {aside}")
    assert "concept:find-victim" in {h.rule for h in verdict.hits}


@pytest.mark.django_db
def test_rules_in_force_mark_only_baseline_lone_words(world):
    from homeward.screening.models import Rule, Scope
    from homeward.screening.selectors import rules_in_force

    Rule.objects.create(scope=Scope.BASELINE, pattern="rifle", category="weapons")
    Rule.objects.create(
        scope=Scope.BASELINE, pattern="break out of prison", category="escape", action="block"
    )
    Rule.objects.create(facility=world.facility_1, pattern="tunnel", category="escape")
    in_force = rules_in_force(world.facility_1)
    marked = {spec.pattern: spec.corroborate for spec in in_force}
    assert marked == {"rifle": True, "break out of prison": False, "tunnel": False}
    court = {spec.pattern: spec.court_word for spec in in_force}
    assert court == {"rifle": True, "break out of prison": False, "tunnel": False}


# --- what names, exceptions and decoders must not do ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "i will KILL THE WITNESS tonight",
        "i will Kill The Witness tonight",
        "O'Brien said kill the witness tonight, it's done",
    ],
)
def test_capitals_and_apostrophes_do_not_make_a_threat_a_name(compiled, text):
    assert screen(compiled, text).verdict != "clear"


def test_a_name_never_cancels_a_block_or_a_detector(compiled):
    assert screen(compiled, "we need an Escape Plan for friday").verdict == "block"
    verdict = screen(compiled, "Tell him 'Call me at 555-123-4567 tonight'")
    assert "detector:phone" in {str(h.rule) for h in verdict.hits}


def test_a_phrase_exception_does_not_cancel_a_whole_message_hit(library):
    text = "Mahal kita anak ko, kumain ka na ba? Miss na miss ka na namin dito sa bahay."
    exception = RuleSpec("mine", "phrase", "anak ko", "coded", "exception")
    compiled = engine.compile_ruleset([*library, exception])
    assert [h.layer for h in screen(compiled, text).hits] == ["language"]


def test_a_message_of_many_split_words_screens_a_few_decoded_texts(compiled):
    from homeward.screening.layers.stack import MAX_DECODED

    verdict = screen(compiled, "ki\nll " * 300)
    decoded = {(h.start, h.end, h.detail) for h in verdict.hits if h.layer == "decoder"}
    assert 1 <= len(decoded) <= MAX_DECODED


def test_a_long_letter_ending_in_another_language_is_not_screened_as_english(compiled):
    english = "We went to the park and the kids played all afternoon with their cousins. " * 6
    other = "我很想你，妈妈每天都在为你祈祷，家里一切都好，请照顾好自己。 " * 20
    assert "language" in {h.layer for h in screen(compiled, english + other).hits}


# --- a number game read in the open ------------------------------------------------------

# "ya se nadar" (I can swim now): nothing to screen, but not only words of love.
GAME = "Tu hija te mandó esto: 25-1 19-5 14-1-4-1-18. Yo ya sé qué dice jaja"


def test_a_number_game_with_its_key_given_and_nothing_to_screen_is_clear(compiled):
    hidden = screen(compiled, GAME)
    assert hidden.verdict == "flag"  # without its key: hidden writing, for a reviewer
    assert {h.rule for h in hidden.hits} == {"decoder:letter-numbers", "detector:digits"}
    for key in ("1 es A, 2 es B. ", "la A es 1, la B es 2: ", "Every number is a letter. "):
        told = screen(compiled, key + GAME)
        assert (told.verdict, told.hits) == ("clear", [])


def test_a_number_game_with_its_key_given_still_shows_what_it_says(compiled):
    verdict = screen(compiled, "Remember our game, 1=A 2=B: 11-9-12-12 8-9-13 6-18-9-4-1-25")
    decoded = [h for h in verdict.hits if h.layer == "decoder"]
    assert verdict.verdict == "flag" and [h.category for h in decoded] == ["violence"]
    assert "kill him friday" in decoded[0].detail


@pytest.mark.parametrize(
    "text",
    [
        "Abby wrote this backwards, hold it to a mirror: uoy evol I dna uoy ssim I",
        "Ethan learned the code where each letter moves one down. He wrote: J mpwf zpv ebeez",
        "Your daughter made you a code: 20-5 1-13-15. Decode it yourself jaja",
        "la niña aprendió que la A es 1 y me dejó en el refri 1-13-15-18, lloré",
        "He learned Morse code at Cub Scouts and made me write: .... .. / -.. .- -.. -.. -.--",
        "Tu sobrina is learning Morse code en Girl Scouts: .. / .-.. --- ...- . / -.-- --- ..-",
        "Your nephew made you a secret message, read the first letter of each line:\nWe miss"
        " you\nEvery day\nLove you\nCome home\nOk?\nMom says hi\nEat your veggies",
        # read as an acrostic only because the message says to read it down
        "Mateo says read it slow:\nDogs are cool\nApples\nDucks\nDonuts\nYou rock",
        "Nia wrote you a poem, read the first letters down:\nDaddy you are my hero\nAll the"
        " time\nDays go by slow\nDo you miss me\nYes I love you",
    ],
)
def test_a_code_that_says_only_words_of_love_is_a_game(compiled, text):
    verdict = screen(compiled, text)
    assert (verdict.verdict, verdict.hits) == ("clear", [])


def test_numbers_apart_by_spaces_are_read_as_letters_only_with_the_key_given(compiled):
    # "te quiero papa" and "i love you daddy", as children write them with their key.
    for text in (
        "Tu hija te escribió con su clave, la A es 1: 20 5 / 17 21 9 5 18 15 / 16 1 16 1",
        "Maya says A=1 B=2, figure it out: 9 12 15 22 5 25 15 21 4 1 4 4 25",
    ):
        verdict = screen(compiled, text)
        assert (verdict.verdict, verdict.hits) == ("clear", [])
    without_key = screen(compiled, "figure it out: 9 12 15 22 5 25 15 21 4 1 4 4 25")
    assert "decoder" not in {h.layer for h in without_key.hits}  # numbers, not a code
    secret = "A=1. Here's what I need you to do: 19 1 3 1 / 12 1 / 3 1 10 1. No le digas a nadie"
    verdict = screen(compiled, secret)
    assert verdict.verdict == "flag"
    assert any("saca la caja" in (h.detail or "") for h in verdict.hits)


def test_a_number_game_with_its_key_given_that_must_stay_secret_is_not_a_game(compiled):
    for secret in ("No le digas a nadie. ", "Don't tell nobody what it says. "):
        verdict = screen(compiled, "1 es A, 2 es B. " + GAME + " " + secret)
        assert verdict.verdict == "flag"
        assert {h.rule for h in verdict.hits} == {"decoder:letter-numbers", "detector:digits"}
        assert "ya se nadar" in verdict.hits[0].detail


# MOVE_IT_NOW: lines beginning H, MOVE IT NOW: read as an acrostic only because the letter
# says to read it down (``decoders.spells``).
def test_a_letter_that_says_to_read_it_down_goes_to_a_reviewer_with_what_it_spells(compiled):
    verdict = screen(compiled, MOVE_IT_NOW + "Read it slow, like we said.")
    [hit] = [h for h in verdict.hits if h.layer == "decoder"]
    assert verdict.verdict == "flag" and hit.rule == "decoder:acrostic-lines"
    assert "“move it now”" in hit.detail
    assert screen(compiled, MOVE_IT_NOW + "Ravioli for dinner tonight.").verdict == "clear"


def test_a_game_beside_a_code_that_says_something_cancels_nothing_else(compiled):
    game = "Abby wrote this backwards: uoy evol I dna uoy ssim I. "
    verdict = screen(compiled, game + "And this one too: llec ruoy ni efink eht edih")
    assert verdict.verdict == "flag"
    assert "weapons" in {h.category for h in verdict.hits if h.layer == "decoder"}
