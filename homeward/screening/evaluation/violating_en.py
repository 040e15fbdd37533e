"""Violating messages in English, as a facility's staff meet them.

Written from what gets sent, not from any rule list. Square brackets mark the key words a
sender would disguise; the generator removes the brackets for the plain form and disguises
the bracketed words for each obfuscated form. Phone numbers use the fictional 555-01xx range
and the addresses are made up. Sexual messages are kept non-graphic on purpose.
"""

from __future__ import annotations

from homeward.screening.evaluation.ciphers import a1z26, atbash, b64, backwards, hexed, rot13

VIOLATING_EN: dict[str, list[str]] = {
    "escape": [
        "When the work crew goes out Tuesday I'm going to [make a run for it]. Have a car "
        "waiting past the tree line by the second gate.",
        "I'm done waiting on the lawyer. Me and T are [breaking out] before the transfer, I "
        "just need you ready with clothes and cash.",
        "The night officer on B block leaves the sally port open around 2. That's when we "
        "[bust out].",
        "Put a [hacksaw blade] inside the book binding, I'm almost [through the bars] on the "
        "window.",
        "Can you get me a [copy of the key] for the rec yard gate? Mike's brother works "
        "maintenance and can press it in soap.",
        "Plan is still on. Hospital trip next week, I'll fake the chest pains and [slip away] "
        "from the escort in the parking lot.",
        "Be at the end of Route 9 Saturday night with the lights off. I'm going [over the "
        "wall] right after count.",
        "I'm not doing 20 years. I'm [escaping] this place before sentencing, believe that.",
        "Find out the exact minutes of the [shift change] at the [gate tower], I need to know "
        "when nobody is up there.",
        "Dig is going good. Another week and the [tunnel] under the laundry reaches the drain.",
        "Once I'm [on the run] I'll need a place to lay low. Can I crash at your cousin's in "
        "Ohio till it cools off?",
        "Tell Ray the [jailbreak] is set for the 4th, during the fireworks when everybody is "
        "looking up.",
    ],
    "violence": [
        "Tell Marcus when I get out I'm going to [kill] him. He knows what he did.",
        "That dude in cell 14 is going to get [stabbed] if he keeps running his mouth.",
        "If your new boyfriend is there when I get home I'll [beat him half to death].",
        "Somebody needs to [put him in the hospital] before Friday. You know who to ask.",
        "I swear on my mother I will [burn his house down] with him in it.",
        "Tell Lisa [she's dead] the second I'm released. I'm not playing.",
        "We're going to [jump that CO] in the stairwell when the cameras are down.",
        "Her brother better watch his back, I got people who will [shoot him] on sight.",
        "I'm going to [smash his face in] for what he said about you.",
        "Make sure Dez gets [hurt bad] this weekend. [Break his legs] if you have to.",
        "Next time I see that cop I'm [murdering] him, I don't care how much time I get.",
        "Go over to Tony's and [rough him up] until he pays what he owes me.",
    ],
    "weapons": [
        "Wrap the [blade] in foil and push it into the sole of the sneakers you bring me.",
        "I need a [shank] before Monday, the guys on 3 are moving on me.",
        "Hold my [strap] for me, it's under the floorboard in the back room. Don't let nobody "
        "touch it.",
        "Tell Junior to get rid of the [9mm Glock] before the cops search his place again.",
        "Bring the [pistol] when you come up and leave it in the truck, I'll tell you who "
        "picks it up.",
        "Can you get me some [bullets] for the .38? Two boxes should do it.",
        "My cellie is making a [shiv] out of a toothbrush, they never check the laundry cart.",
        "Put the [gun] in the diaper bag when you come Saturday, they never search the baby stuff.",
        "Sell my [rifle] and the [ammo] to Cedric, he already paid half.",
        "Tape a [razor blade] inside the card, the one with the birthday balloons.",
        "We need a [piece] ready for when I get out, something clean that nobody can trace.",
        "Hide the [brass knuckles] at your mom's, they are coming back with a warrant.",
    ],
    "drugs": [
        "Soak the letter paper in the [K2 spray] and let it dry flat before you mail it.",
        "Put the [suboxone strips] under the stamp like last time. Eight of them.",
        "Bring a few [balloons] of [heroin] to the visit, I'll swallow them at the table.",
        "Tell Rico I need an [ounce of meth] by Friday, the [drone drop] is at the north fence.",
        "How much for a [bag of weed]? The guys in here pay triple for it.",
        "Mail the [coke] inside the greeting card lining, nobody checks those.",
        "Can you pick up my [fentanyl] from Dre and hold it till Sunday?",
        "Get me some [xanax bars], my cellie wants ten of them.",
        "The [spice] you sent last month was weak, get the strong stuff this time.",
        "Tell Mom to stop sending the [pills] in the socks, they found two already.",
        "I owe the guys upstairs for the [dope], put $200 on Kenny's books so they leave me alone.",
        "Sneak a [cell phone] and charger in the hem of the jeans, the visiting room officer "
        "is cool.",
    ],
    "gang": [
        "Tell the homies it's [blood in blood out]. Nobody leaves the set.",
        "The OG says the [Kings] need to [put in work] on the east side before the new guys "
        "take the corner.",
        "I got [jumped in] to the [Crips] on C block, I'm family now.",
        "Make sure the [MS-13] boys know we still run the yard.",
        "Collect the [dues] from the young ones and keep the [set] strong while I'm gone.",
        "Tell Lil G the [shot caller] put a [green light] on anybody wearing red.",
        "Rep the [hood] hard. The [Sureños] run this tier now.",
        "The [clique] meets Sunday at the park, bring the [dues] in an envelope.",
        "Put the [gang colors] on the new [recruits] before I get out.",
        "The [Latin Kings] are moving on our block, tell [the set] to be ready.",
        "The [Aryan Brotherhood] wants us to handle the debt, the [brand] comes first.",
        "Throw up the [gang sign] in the visit picture so the others see we still here.",
    ],
    "fraud": [
        "Use the [card numbers] I gave you and buy gift cards before they cancel them.",
        "Open a [credit card in my cousin's name], I have her [social] and birthday.",
        "Send $300 to [$BigMike77] on [Cash App] and tell him it's from me.",
        "File the [tax return under Grandma's name] and have the refund sent to your address.",
        "Deposit the [stolen checks] at different ATMs so it doesn't look weird.",
        "Call the old lady and say you're from the [IRS], tell her she owes or she'll be "
        "[arrested].",
        "Load the [Green Dot card] with the money from the [scam] and read me the numbers.",
        "Get his [PIN] and [routing number] and I'll do the rest.",
        "Keep the [fake GoFundMe] going, say it's for the kids' surgery.",
        "Send me the [bank login] for your aunt's account, I'll move the money out slow.",
        "Buy [Visa gift cards] with the [stolen card] and send me the codes.",
        "I need new [fake IDs] for me and Tasha, same guy as last time.",
    ],
    "sexual": [
        "Send me some [nudes] tonight, I miss seeing all of you.",
        "Take a [naked] picture in the shower and put it in the next letter.",
        "I want you to [touch yourself] while you read this, then tell me about it.",
        "Next visit let's [have sex] in the visiting room bathroom, nobody watches it.",
        "Write me something [dirty], the more [explicit] the better.",
        "I can't stop thinking about your body, send [sexy pics] in that red [lingerie].",
        "Flash me your [boobs] on the video visit when the officer isn't looking.",
        "Let's have [phone sex] on the next call, I'll be alone in the unit.",
        "Mail me a [porn] magazine inside the sports one, they won't check.",
        "I'm so [horny] without you, tell me what you're wearing right now.",
        "Send the [topless] ones from the beach trip.",
        "Tell your friend Keisha to send me [x-rated] pictures too.",
    ],
    "harassment": [
        "Tell Angela if she [testifies] against me she'll regret it.",
        "Find out where the [witness] lives now, she moved after the hearing.",
        "Make sure Tasha [drops the charges] before the 15th or else.",
        "Everybody knows what happens to [snitches]. Remind Kevin.",
        "Go by her job and let her know I'm watching. She [better not show up to court].",
        "Keep calling her until she [takes back her statement].",
        "Post her address on Facebook so people know she's a [rat].",
        "Tell my ex the [protective order] doesn't mean nothing, I know where the kids go to "
        "school.",
        "Pay the [witness] $500 to forget what she saw.",
        "Reach out to [the victim] for me and tell her to [change her story].",
        "That [witness for the DA] needs to be scared enough to skip the trial.",
        "Drive past Maria's mom's house every night so she thinks twice about her [testimony].",
    ],
    "relay": [
        "Get Dre on a [three-way call] when I call you Sunday.",
        "[Call my cousin] at [555-0142] and tell him exactly what I said.",
        "[Forward] this letter to my brother at [4415 Maple Ave, Apt 2B], he can't get "
        "messages from here.",
        "When I call tonight, [click over] and [conference in] Big Mike.",
        "[Tell Dre I said] the money is under the sink. Don't write it to him yourself.",
        "[Pass this message] to Kenny on C unit through his girl: the meeting is off.",
        "Write this number down: [(555) 013-9921], that's Tone's [new line], [call him] for me.",
        "[Three way] me with my baby mama tonight, the jail won't let me call her directly.",
        "Can you [patch me through] to Jay's phone when I call you at 6?",
        "Mail this to [1877 Harbor Rd, Unit 5] but put your name on the envelope, not mine.",
        "[Text] my homie at [555-0188] and read him this message word for word.",
        "Hit up [@kevo_215] on Instagram and send him [screenshots] of these messages.",
    ],
    "coded": [
        f"Decode this like we practiced: [{rot13('meet at the east gate at midnight')}]",
        f"[Decode] these numbers like before: [{a1z26('send the strips')}]",
        f"Put this in the reader: [{b64('bring the phone sunday')}]",
        f"It's in [hex] again, you know the tool: [{hexed('gate code 4471')}]",
        "Remember the [book code]: [p14 l3 w7, p22 l9 w2, p31 l1 w5].",
        "Read every [third word] of my last letter, that's the real message.",
        "The [lottery numbers] for Friday: [7734 0451 2219 8806 3310].",
        "Write back using the [code] I gave you: [XQJ ZKP WMV TLR QQF].",
        f"[Atbash] it like before: [{atbash('the package is in the chapel')}]",
        f"Read it [backwards]: [{backwards('ready for tonight after count')}]",
        f"Our [numbers game], same as always: [{a1z26('contraband at the dock', '-')}]",
        "Use the [key word] RIVER on this: [HVGXFW MZ QXSR].",
    ],
}
