"""Editorial content of « Mon espace prévention » (FEATURES G1, G2, G4): text, not rules.

Kept as data so that a caisse can review it in one place. Sources: ameli.fr (« Suivi de
grossesse », « Examens obligatoires de l'enfant », « M'T dents », « ALD »), the 2025
vaccination calendar (ministère de la Santé) and Santé publique France (1000 premiers jours).
"""

MATERNITY_TIPS = (
    "Les 7 examens prénataux obligatoires sont pris en charge à 100 %, sans avance de frais "
    "chez un professionnel qui pratique le tiers payant.",
    "Avant le 6e mois, les échographies sont remboursées à 70 % ; à partir du 1er jour du "
    "6e mois, tous vos frais médicaux, qu'ils soient liés à la grossesse ou non, sont pris en "
    "charge à 100 % (« 100 % maternité »).",
    "Sur avis médical, vous pouvez reporter jusqu'à 3 semaines de congé prénatal sur le congé "
    "postnatal. Si vous accouchez avant la date prévue, les jours de congé prénatal non pris "
    "s'ajoutent au congé postnatal.",
    "Pensez à déclarer la naissance de votre enfant depuis « Mes démarches » dès qu'elle est "
    "enregistrée à la mairie.",
)

CHILD_EXAMS_INTRO = (
    "De la naissance à 16 ans, votre enfant doit passer 20 examens médicaux obligatoires, pris "
    "en charge à 100 % par l'Assurance Maladie. Ils sont faits par son médecin traitant, un "
    "autre médecin de votre choix ou, avant 6 ans, par la PMI. Notez-les dans son carnet de "
    "santé."
)

# (age, vaccinations) of the infant calendar (calendrier des vaccinations 2025).
VACCINATIONS = (
    (
        "2 mois",
        "Diphtérie, tétanos, coqueluche, poliomyélite, Haemophilus influenzae b, hépatite B ; "
        "pneumocoque",
    ),
    ("3 mois", "Méningocoque B"),
    (
        "4 mois",
        "Diphtérie, tétanos, coqueluche, poliomyélite, Haemophilus influenzae b, hépatite B ; "
        "pneumocoque",
    ),
    ("5 mois", "Méningocoque B"),
    ("6 mois", "Méningocoques ACWY"),
    (
        "11 mois",
        "Rappels : diphtérie, tétanos, coqueluche, poliomyélite, Haemophilus "
        "influenzae b, hépatite B ; pneumocoque",
    ),
    ("12 mois", "Rougeole, oreillons, rubéole ; méningocoques ACWY ; méningocoque B"),
    ("16 à 18 mois", "Rougeole, oreillons, rubéole (2e dose)"),
    ("6 ans", "Rappel : diphtérie, tétanos, coqueluche, poliomyélite"),
    (
        "11 à 13 ans",
        "Rappel : diphtérie, tétanos, coqueluche, poliomyélite ; papillomavirus (HPV) entre "
        "11 et 14 ans",
    ),
)
VACCINATIONS_NOTE = (
    "11 vaccinations sont obligatoires pour les enfants nés depuis le 1er janvier 2018 ; "
    "depuis le 1er janvier 2025, les vaccinations contre les méningocoques ACWY et B le sont "
    "aussi pour les nourrissons. Elles sont exigées pour l'entrée en crèche, chez une assistante "
    "maternelle et à l'école."
)

# « Repères » (seed 003: « examens médicaux, vaccinations, repères alimentaires »).
LANDMARKS = (
    (
        "Sommeil",
        "Couchez toujours bébé sur le dos, dans une turbulette, sans oreiller, "
        "couverture ni tour de lit.",
    ),
    (
        "Alimentation",
        "Le lait maternel ou infantile suffit jusqu'à 4 à 6 mois ; la "
        "diversification commence ensuite, sans sel ni sucre ajouté avant 1 an.",
    ),
    (
        "Dents",
        "Brossez ses dents 2 fois par jour dès la première dent, avec un dentifrice "
        "fluoré adapté à son âge.",
    ),
    (
        "Écrans",
        "Pas d'écran avant 3 ans ; ensuite, des temps courts, accompagnés, jamais "
        "pendant les repas ni avant le coucher.",
    ),
    (
        "Activité physique",
        "Au moins 1 heure d'activité physique par jour à partir de 6 ans, "
        "3 heures de jeux actifs avant.",
    ),
)

MT_DENTS_TEXT = (
    "Chaque année, de 3 à 24 ans, un examen bucco-dentaire de prévention chez le dentiste est "
    "pris en charge à 100 %, sans avance de frais, ainsi que les soins qui en découlent dans les "
    "6 mois."
)
MT_DENTS_MATERNITY_TEXT = (
    "Enceinte, vous avez droit à un examen bucco-dentaire de prévention pris en charge à 100 %, "
    "du 4e mois de grossesse au 6e mois après l'accouchement : présentez le bon de prise en "
    "charge envoyé par votre caisse et votre carte Vitale."
)

# G4: shown when the caisse recorded no specific advice for an ALD.
ALD_ADVICE = (
    "Vos soins en rapport avec votre ALD sont pris en charge à 100 % sur la base du tarif de "
    "l'Assurance Maladie. Présentez votre protocole de soins à chaque professionnel consulté ; "
    "votre médecin distingue sur une ordonnance « bizone » les soins liés à l'ALD des autres."
)
