"""Violating messages in Spanish, as a facility's staff meet them (see violating_en.py)."""

from __future__ import annotations

from homeward.screening.evaluation.ciphers import a1z26, b64, rot13

VIOLATING_ES: dict[str, list[str]] = {
    "escape": [
        "El martes cuando salgamos a trabajar me voy a [fugar]. Ten el carro listo detrás de "
        "la segunda reja.",
        "Ya no aguanto. Antes del traslado nos vamos a [escapar] por la lavandería.",
        "Mándame una [segueta] dentro del libro, ya casi corto los [barrotes].",
        "El sábado en la noche voy a [brincar la barda]. Espérame en la carretera con las "
        "luces apagadas.",
        "Averigua a qué hora es el [cambio de turno] en la torre, necesito los minutos exactos.",
        "Cuando ande [prófugo] voy a necesitar dónde esconderme, ¿me puedo quedar con tu primo?",
    ],
    "violence": [
        "Dile a Marcos que cuando salga lo voy a [matar]. Él sabe por qué.",
        "Al de la celda 14 lo van a [picar] si sigue hablando de más.",
        "Si tu novio está ahí cuando llegue le voy a [partir la madre].",
        "Te juro que le voy a [quemar la casa] con él adentro.",
        "Que alguien le [dé una golpiza] a Chuy antes del viernes, tú sabes a quién pedirle.",
        "Dile a Lupe que ya está [muerta] en cuanto yo salga.",
    ],
    "weapons": [
        "Necesito una [punta] antes del lunes, los del tres me traen ganas.",
        "Guárdame el [cuete] debajo del piso del cuarto de atrás.",
        "Dile a Junior que se deshaga de la [pistola] antes de que revisen su casa.",
        "Consígueme [balas] para la .38, dos cajas.",
        "Mete la [navaja] en la suela de los tenis que me traes.",
        "Vende mi [rifle] y los [cartuchos] a Cedric, ya pagó la mitad.",
    ],
    "drugs": [
        "Moja el papel de la carta en el [K2 líquido] y déjalo secar antes de mandarla.",
        "Pon las [tiras de suboxone] debajo de la estampilla como la otra vez.",
        "Dile a Rico que necesito una [onza de cristal] para el viernes.",
        "¿Cuánto por una [bolsa de mota]? Aquí pagan el triple.",
        "Mete el [perico] en el forro de la tarjeta, nadie revisa eso.",
        "Métele un [celular] y el cargador en el dobladillo del pantalón.",
    ],
    "gang": [
        "Dile a la [clica] que el [barrio] sigue firme aunque yo esté aquí.",
        "El [palabrero] dice que hay que [cobrar la renta] en la colonia.",
        "Me [brincaron] a los [Sureños] en el bloque C, ya soy familia.",
        "Que los morros de la [MS] sepan que el patio es nuestro.",
        "Recoge las [cuotas] de los chavos y mantén la [pandilla] fuerte.",
        "Tatúales los [colores del barrio] a los nuevos antes de que yo salga.",
    ],
    "fraud": [
        "Usa los [números de tarjeta] que te di y compra tarjetas de regalo antes de que las "
        "cancelen.",
        "Saca una [tarjeta a nombre de mi prima], tengo su [seguro social].",
        "Manda $300 a [$ElGordo22] en [Cash App] y dile que es de mi parte.",
        "Cobra los [cheques robados] en diferentes cajeros.",
        "Llama a la señora y dile que eres del [IRS], que debe dinero o la [arrestan].",
        "Necesito [identificaciones falsas] para mí y para Tasha.",
    ],
    "sexual": [
        "Mándame unas [fotos desnuda] esta noche.",
        "Quiero que te [toques] mientras lees esto.",
        "Ponte la [lencería] roja y mándame fotos [sexys].",
        "Enséñame los [pechos] en la videollamada cuando no vea el guardia.",
        "Tengamos [sexo por teléfono] en la próxima llamada.",
        "Estoy bien [caliente] sin ti, dime qué traes puesto.",
    ],
    "harassment": [
        "Dile a Ángela que si [testifica] contra mí se va a arrepentir.",
        "Averigua dónde vive ahora la [testigo].",
        "Que Tasha [retire los cargos] antes del 15 o ya sabe.",
        "Todos saben lo que les pasa a los [soplones]. Recuérdaselo a Kevin.",
        "Dile a mi ex que la [orden de protección] no vale nada, sé dónde estudian los niños.",
        "Llama a la [víctima] y dile que [cambie su declaración].",
    ],
    "relay": [
        "Ponme en una [llamada de tres] con Dre el domingo.",
        "[Llama a mi primo] al [555-0142] y dile exactamente lo que te dije.",
        "[Reenvía] esta carta a mi hermano en [Calle Olmo 4415, Depto 2B].",
        "[Pásale el mensaje] a Kenny con su novia: la junta se cancela.",
        "Cuando te llame, [conecta] a Big Mike en la [misma llamada].",
        "[Mándale un texto] a mi compa al [555-0188] y léele este mensaje.",
    ],
    "coded": [
        f"Descífralo como practicamos: [{rot13('fuga a medianoche por el patio')}]",
        f"[Descifra] estos números como antes: [{a1z26('manda las tiras')}]",
        f"Pásalo por el lector: [{b64('trae el celular el domingo')}]",
        "Lee cada [tercera palabra] de mi última carta, ese es el mensaje de verdad.",
        "Los [números de la suerte] del viernes: [7734 0451 2219 8806 3310].",
        "Usa la [clave] que te di: [XQJ ZKP WMV TLR QQF].",
    ],
}
