"""Curated phrases the demo catalogue is composed from: per technology field, the lab, the problem,
the inventions (technology, use and three advantages), markets and keywords."""

from __future__ import annotations

#: field code -> the words a TTO would use about inventions in that field
TOPICS: dict[str, dict] = {
    "LS.THER": {
        "lab": "medicinal chemistry",
        "problem": "Approved fibrosis and oncology drugs slow disease but cause side effects that lead many "
                   "patients to stop treatment within a year.",
        "items": [
            ("Allosteric kinase inhibitor", "idiopathic pulmonary fibrosis",
             (
                 "binds its target with over 100-fold selectivity",
                 "reduced fibrotic tissue by 40% in a mouse model",
                 "shows no hERG liability at therapeutic doses",
             )),
            ("Peptide-drug conjugate", "targeted delivery to HER2-low breast tumours",
             (
                 "delivered three times more payload to tumours than the free drug",
                 "spared healthy tissue in toxicology studies",
                 "releases the drug only inside cancer cells",
             )),
            ("Oral small-molecule NLRP3 inhibitor", "chronic inflammatory liver disease",
             (
                 "is orally bioavailable in two species",
                 "binds its target with over 100-fold selectivity",
                 "shows no hERG liability at therapeutic doses",
             )),
        ],
        "markets": ["specialty pharmaceuticals", "orphan disease programmes"],
        "keywords": ["small molecule", "drug discovery", "fibrosis"],
    },
    "LS.DIAG": {
        "lab": "clinical biochemistry",
        "problem": "Sepsis and early cancers are still diagnosed late because sensitive tests need a central "
                   "laboratory and hours of turnaround.",
        "items": [
            ("Paper-based microfluidic assay", "point-of-care sepsis triage",
             (
                 "returns a result in under 20 minutes",
                 "needs a single drop of capillary blood",
                 "costs less than two dollars per test",
             )),
            ("Cell-free DNA methylation panel", "early detection of colorectal cancer",
             (
                 "reached 92% sensitivity in a retrospective cohort",
                 "works from a standard blood draw",
                 "detects precancerous lesions missed by stool tests",
             )),
        ],
        "markets": ["emergency medicine", "primary care", "screening programmes"],
        "keywords": ["diagnostics", "biomarker", "point of care"],
    },
    "LS.DEVI": {
        "lab": "biomedical engineering",
        "problem": "Implanted and wearable devices fail early because of infection, tissue scarring and "
                   "batteries that need surgery to replace.",
        "items": [
            ("Bioresorbable cardiac pacing lead", "temporary pacing after heart surgery",
             (
                 "dissolves safely after its clinical use",
                 "works with existing hospital equipment",
                 "needs no second operation to remove it",
             )),
            ("Soft robotic glove", "stroke rehabilitation at home",
             (
                 "weighs less than 200 grams",
                 "lets patients practise grasping exercises unsupervised",
                 "adapts assistance to each patient's strength",
             )),
            ("Antimicrobial catheter coating", "preventing urinary tract infections",
             (
                 "cut bacterial colonisation by 99% in vitro",
                 "keeps working for 30 days",
                 "works with existing hospital equipment",
             )),
        ],
        "markets": ["cardiology", "rehabilitation", "hospital consumables"],
        "keywords": ["medical device", "implant", "rehabilitation"],
    },
    "LS.BIOT": {
        "lab": "synthetic biology",
        "problem": "Research tools for gene editing and protein production are slow, costly and hard to scale "
                   "beyond the bench.",
        "items": [
            ("High-fidelity Cas12 variant", "precise genome editing in plant and animal cells",
             (
                 "lowers off-target edits tenfold",
                 "edits sites that Cas9 cannot reach",
                 "is compatible with standard lab automation",
             )),
            ("Cell-free protein expression kit", "rapid prototyping of enzymes",
             (
                 "produces milligram yields overnight",
                 "ships at room temperature",
                 "is compatible with standard lab automation",
             )),
        ],
        "markets": ["research reagents", "bioprocessing", "contract research"],
        "keywords": ["CRISPR", "research tool", "protein expression"],
    },
    "LS.GENE": {
        "lab": "gene therapy",
        "problem": "Viral vectors reach too few target cells and trigger immune responses, which limits the "
                   "dose and the diseases gene therapy can treat.",
        "items": [
            ("Engineered AAV capsid", "gene delivery to the inner ear",
             (
                 "transduces target cells five times more efficiently",
                 "evades pre-existing neutralising antibodies",
                 "showed durable expression for twelve months",
             )),
            ("Lipid nanoparticle formulation", "in vivo CAR-T cell programming",
             (
                 "programmes T cells without removing them from the patient",
                 "can be manufactured with standard processes",
                 "avoids viral vectors entirely",
             )),
        ],
        "markets": ["rare genetic diseases", "cell therapy", "hearing loss"],
        "keywords": ["gene therapy", "AAV", "delivery"],
    },
    "LS.VACC": {
        "lab": "immunology",
        "problem": "Many vaccines need cold storage and several doses, which makes them hard to deliver where "
                   "they are most needed.",
        "items": [
            ("Thermostable mRNA vaccine formulation", "distribution without a cold chain",
             (
                 "stays stable for six months at 25 °C",
                 "uses excipients already approved by regulators",
                 "keeps its potency after freeze-thaw cycles",
             )),
            ("Dissolving microneedle patch", "painless self-administered vaccination",
             (
                 "removes the need for trained injectors",
                 "induces neutralising antibodies after one dose",
                 "dissolves in the skin within minutes",
             )),
        ],
        "markets": ["global health", "seasonal vaccines", "veterinary vaccines"],
        "keywords": ["vaccine", "mRNA", "immunology"],
    },
    "LS.DIGH": {
        "lab": "health informatics",
        "problem": "Clinicians spend hours on documentation and still miss early signs of deterioration "
                   "hidden in routine data.",
        "items": [
            ("Early-warning algorithm", "detecting patient deterioration on hospital wards",
             (
                 "flags deterioration six hours earlier than current scores",
                 "runs on data hospitals already collect",
                 "was validated on 40,000 admissions",
             )),
            ("Smartphone voice biomarker app", "monitoring Parkinson's disease progression",
             (
                 "keeps patient data on the device",
                 "detects changes weeks before clinic visits",
                 "needs only a one-minute daily recording",
             )),
        ],
        "markets": ["hospital software", "remote patient monitoring", "clinical trials"],
        "keywords": ["digital health", "machine learning", "remote monitoring"],
    },
    "LS.NEUR": {
        "lab": "neuroscience",
        "problem": "Neurological disorders are diagnosed late and treated with drugs that act on the whole "
                   "brain rather than the circuits involved.",
        "items": [
            ("Closed-loop deep brain stimulation controller", "reducing tremor with less battery drain",
             (
                 "adapts stimulation to brain activity in real time",
                 "extends implant battery life by 30%",
                 "retrofits implanted stimulators with a firmware update",
             )),
            ("Blood test for neurofilament light chain", "monitoring multiple sclerosis activity",
             (
                 "detects relapses before symptoms appear",
                 "works on standard laboratory analysers",
                 "needs a routine blood sample instead of an MRI",
             )),
        ],
        "markets": ["neuromodulation", "neurology clinics", "pharmaceutical trials"],
        "keywords": ["neurology", "neuromodulation", "biomarker"],
    },
    "CH.POLY": {
        "lab": "polymer science",
        "problem": "Most plastics cannot be repaired or recycled without losing their properties, so they end up "
                   "in landfill after one use.",
        "items": [
            ("Self-healing polyurethane", "scratch-resistant automotive clear coats",
             (
                 "repairs scratches at room temperature within hours",
                 "keeps its gloss after ten repair cycles",
                 "cures on standard automotive paint lines",
             )),
            ("Chemically recyclable polyester", "food packaging film",
             (
                 "can be depolymerised back to monomer",
                 "matches the barrier properties of PET",
                 "processes on existing extrusion lines",
             )),
        ],
        "markets": ["packaging", "automotive coatings", "consumer electronics"],
        "keywords": ["polymer", "recycling", "self-healing"],
    },
    "CH.NANO": {
        "lab": "nanomaterials",
        "problem": "Nanomaterials perform well in the laboratory but are hard to produce in volume with "
                   "consistent quality.",
        "items": [
            ("Continuous-flow graphene exfoliation process", "conductive inks",
             (
                 "produces kilograms per day with consistent flake size",
                 "avoids toxic solvents",
                 "cuts material cost by half",
             )),
            ("Silica nanoparticle carrier", "controlled release of agrochemicals",
             (
                 "disperses stably in water",
                 "releases the active ingredient over four weeks",
                 "halves the dose of pesticide needed",
             )),
        ],
        "markets": ["printed electronics", "crop protection", "specialty chemicals"],
        "keywords": ["graphene", "nanoparticles", "scale-up"],
    },
    "CH.CATA": {
        "lab": "catalysis",
        "problem": "Industrial chemistry relies on precious-metal catalysts and high temperatures that cost "
                   "energy and money.",
        "items": [
            ("Iron-based hydrogenation catalyst", "fine chemical synthesis",
             (
                 "replaces palladium with an abundant metal",
                 "is easily separated from the product",
                 "tolerates air and moisture",
             )),
            ("Photocatalytic reactor", "converting CO2 into methanol",
             (
                 "runs at ambient pressure",
                 "keeps its activity over 1,000 hours",
                 "runs on sunlight",
             )),
        ],
        "markets": ["pharmaceutical manufacturing", "chemical industry", "carbon utilisation"],
        "keywords": ["catalyst", "green chemistry", "CO2 utilisation"],
    },
    "CH.COAT": {
        "lab": "surface engineering",
        "problem": "Surfaces corrode, ice over and foul, costing industry billions in maintenance and downtime.",
        "items": [
            ("Superhydrophobic anti-icing coating", "wind turbine blades",
             (
                 "lowers ice adhesion by 90%",
                 "can be applied by spraying",
                 "withstands rain erosion tests",
             )),
            ("Chromium-free corrosion inhibitor coating", "aluminium aircraft parts",
             (
                 "survives 3,000 hours of salt-spray testing",
                 "contains no hexavalent chromium",
                 "can be applied by spraying",
             )),
        ],
        "markets": ["aerospace", "renewable energy", "marine"],
        "keywords": ["coating", "corrosion", "anti-icing"],
    },
    "CH.META": {
        "lab": "metallurgy",
        "problem": "Lightweight alloys are strong but crack during forming or fail early under heat and load.",
        "items": [
            ("High-entropy alloy", "turbine components operating above 900 °C",
             (
                 "keeps its strength at high temperature",
                 "can be cast with existing equipment",
                 "resists oxidation for 1,000 hours at 1,000 °C",
             )),
            ("Recycled aluminium alloy with tolerant impurities", "automotive body panels",
             (
                 "tolerates iron from scrap without cracking",
                 "reduces embodied carbon by 70%",
                 "can be cast with existing equipment",
             )),
        ],
        "markets": ["aerospace", "automotive", "energy"],
        "keywords": ["alloy", "metallurgy", "lightweighting"],
    },
    "EN.SOLR": {
        "lab": "photovoltaics",
        "problem": "Silicon solar cells are close to their efficiency limit and new materials degrade too "
                   "quickly outdoors.",
        "items": [
            ("Perovskite-silicon tandem cell", "rooftop solar modules",
             (
                 "reached 29% certified efficiency",
                 "kept 95% of its output after 1,000 hours of damp heat",
                 "uses standard silicon wafers as the bottom cell",
             )),
            ("Flexible organic photovoltaic film", "building-integrated solar facades",
             (
                 "can be printed roll-to-roll",
                 "weighs a fifth of a glass module",
                 "keeps working in diffuse light",
             )),
        ],
        "markets": ["solar module manufacturing", "construction", "off-grid power"],
        "keywords": ["solar", "perovskite", "photovoltaics"],
    },
    "EN.STOR": {
        "lab": "electrochemistry",
        "problem": "Lithium-ion batteries use flammable electrolytes and scarce metals, and grid storage needs "
                   "cheaper chemistries.",
        "items": [
            ("Garnet solid-state electrolyte", "safer electric-vehicle batteries",
             (
                 "suppresses lithium dendrites",
                 "survived 2,000 charge cycles with 90% capacity",
                 "does not burn when punctured",
             )),
            ("Sodium-ion cathode material", "low-cost stationary storage",
             (
                 "uses no cobalt or nickel",
                 "charges to 80% in 15 minutes",
                 "works down to -20 °C",
             )),
            ("Battery state-of-health estimator", "second-life battery grading",
             (
                 "grades a battery pack in minutes instead of hours",
                 "needs no disassembly of the pack",
                 "predicts remaining life within 5%",
             )),
        ],
        "markets": ["electric vehicles", "grid storage", "battery recycling"],
        "keywords": ["battery", "energy storage", "electrolyte"],
    },
    "EN.HYDR": {
        "lab": "hydrogen technologies",
        "problem": "Green hydrogen is expensive because electrolysers need iridium and platinum and lose "
                   "efficiency at variable load.",
        "items": [
            ("Iridium-free electrolyser anode", "green hydrogen production",
             (
                 "cuts precious-metal loading by 90%",
                 "follows the output of wind and solar",
                 "has run 5,000 hours in a test stack",
             )),
            ("Metal hydride storage tank", "hydrogen buffering at refuelling stations",
             (
                 "stores hydrogen at low pressure",
                 "releases hydrogen using waste heat",
                 "avoids the risks of high-pressure storage",
             )),
        ],
        "markets": ["electrolysers", "mobility", "industrial gases"],
        "keywords": ["hydrogen", "electrolysis", "fuel cell"],
    },
    "EN.WIND": {
        "lab": "wind energy",
        "problem": "Wind farms lose output to wake effects and blade erosion, and inspections need turbines "
                   "to stop.",
        "items": [
            ("Wake-steering control software", "increasing wind farm yield",
             (
                 "raised annual energy production by 3% in field tests",
                 "needs no new hardware",
                 "is compatible with major turbine controllers",
             )),
            ("Drone-based blade inspection system", "detecting leading-edge erosion",
             (
                 "inspects a turbine in 20 minutes",
                 "classifies damage automatically",
                 "does not require rope-access technicians",
             )),
        ],
        "markets": ["wind farm operators", "turbine manufacturers", "inspection services"],
        "keywords": ["wind", "control", "inspection"],
    },
    "EN.GRID": {
        "lab": "power systems",
        "problem": "Distribution grids were not designed for rooftop solar, heat pumps and chargers, and "
                   "operators lack visibility of their low-voltage networks.",
        "items": [
            ("Low-voltage grid state estimator", "hosting more rooftop solar",
             (
                 "works with existing smart-meter data",
                 "defers costly grid reinforcement",
                 "locates voltage problems street by street",
             )),
            ("Vehicle-to-grid charging scheduler", "fleet depots",
             (
                 "cut peak demand by 25% in a pilot",
                 "respects each driver's departure time",
                 "earns revenue from grid services",
             )),
        ],
        "markets": ["utilities", "charging operators", "energy retailers"],
        "keywords": ["smart grid", "flexibility", "electric vehicles"],
    },
    "IT.AI": {
        "lab": "machine learning",
        "problem": "Machine-learning models need large labelled datasets and costly GPUs, and their decisions "
                   "are hard to explain to regulators.",
        "items": [
            ("Few-shot defect detection model", "visual quality inspection in factories",
             (
                 "learns from as few as 20 labelled images",
                 "runs on commodity hardware",
                 "flags new defect types it was never shown",
             )),
            ("Energy-efficient transformer inference engine", "running language models on edge devices",
             (
                 "uses a tenth of the energy of standard inference",
                 "runs on commodity hardware",
                 "keeps accuracy within 1% of the full model",
             )),
            ("Explainable credit-risk model", "lending decisions",
             (
                 "gives a reason for every decision",
                 "meets regulators' explainability requirements",
                 "matched the accuracy of black-box models",
             )),
        ],
        "markets": ["manufacturing", "consumer electronics", "financial services"],
        "keywords": ["AI", "machine learning", "edge computing"],
    },
    "IT.SECU": {
        "lab": "cybersecurity",
        "problem": "Attackers exploit firmware and supply-chain weaknesses that conventional tools do not "
                   "inspect.",
        "items": [
            ("Firmware vulnerability scanner", "industrial control systems",
             (
                 "finds memory-safety bugs without source code",
                 "found 14 previously unknown vulnerabilities",
                 "supports ARM and MIPS firmware",
             )),
            ("Post-quantum key exchange library", "securing embedded devices",
             (
                 "fits in 32 kB of memory",
                 "passes the NIST test vectors",
                 "completes a handshake in under 50 ms on a microcontroller",
             )),
        ],
        "markets": ["industrial automation", "IoT", "security vendors"],
        "keywords": ["security", "cryptography", "firmware"],
    },
    "IT.DATA": {
        "lab": "data systems",
        "problem": "Organisations hold data they cannot share or query efficiently because of privacy rules "
                   "and growing volumes.",
        "items": [
            ("Privacy-preserving record linkage", "joining hospital and registry data",
             (
                 "links records without revealing identities",
                 "matches records despite spelling errors",
                 "meets GDPR pseudonymisation rules",
             )),
            ("Learned index structure", "fast analytical queries on large tables",
             (
                 "answers queries five times faster",
                 "uses a fraction of the memory of B-trees",
                 "integrates with PostgreSQL",
             )),
        ],
        "markets": ["healthcare data", "analytics platforms", "public sector"],
        "keywords": ["data", "privacy", "databases"],
    },
    "IT.NETW": {
        "lab": "wireless communications",
        "problem": "Wireless networks are congested, and low-power devices cannot afford the energy cost of "
                   "conventional radios.",
        "items": [
            ("Backscatter radio", "battery-free sensor tags",
             (
                 "communicates using microwatts of power",
                 "coexists with Wi-Fi",
                 "reaches 30 metres indoors",
             )),
            ("Reconfigurable intelligent surface", "improving indoor 5G coverage",
             (
                 "extends coverage without new base stations",
                 "is built from low-cost printed circuit boards",
                 "is reconfigured in milliseconds",
             )),
        ],
        "markets": ["telecommunications", "logistics tracking", "smart buildings"],
        "keywords": ["wireless", "5G", "IoT"],
    },
    "IT.QUAN": {
        "lab": "quantum information",
        "problem": "Quantum computers are noisy, and useful algorithms need error rates that current hardware "
                   "cannot reach.",
        "items": [
            ("Error-mitigation compiler", "near-term quantum chemistry simulations",
             (
                 "cuts the error in computed energies by an order of magnitude",
                 "works with several hardware vendors",
                 "adds little overhead to circuit depth",
             )),
            ("Cryogenic qubit control chip", "scaling superconducting processors",
             (
                 "replaces racks of room-temperature electronics",
                 "dissipates under 1 mW per qubit",
                 "is made in a commercial CMOS process",
             )),
        ],
        "markets": ["quantum hardware", "computational chemistry", "cloud computing"],
        "keywords": ["quantum computing", "compiler", "qubits"],
    },
    "IT.SOFT": {
        "lab": "software engineering",
        "problem": "Software teams lose days to flaky tests and untracked dependencies, and bugs reach "
                   "production unnoticed.",
        "items": [
            ("Flaky test detection tool", "continuous integration pipelines",
             (
                 "identifies flaky tests without rerunning them",
                 "plugs into existing CI services",
                 "scales to millions of lines of code",
             )),
            ("Automated program repair engine", "fixing common security bugs",
             (
                 "proposes fixes developers accept 60% of the time",
                 "fixes buffer overflows and injection flaws",
                 "scales to millions of lines of code",
             )),
        ],
        "markets": ["developer tools", "enterprise software", "security"],
        "keywords": ["software", "testing", "developer tools"],
    },
    "IT.HCI": {
        "lab": "human-computer interaction",
        "problem": "Interfaces still assume a keyboard, a screen and full attention, which excludes many users "
                   "and situations.",
        "items": [
            ("Gaze-based text entry system", "people with motor impairments",
             (
                 "reaches 20 words per minute without calibration",
                 "works with consumer eye trackers",
                 "adapts to each user's typing style",
             )),
            ("Haptic feedback sleeve", "remote surgical training",
             (
                 "reproduces tissue stiffness convincingly",
                 "weighs under 300 grams",
                 "synchronises with surgical simulators",
             )),
        ],
        "markets": ["assistive technology", "medical training", "gaming"],
        "keywords": ["accessibility", "haptics", "interaction design"],
    },
    "EL.SEMI": {
        "lab": "semiconductor devices",
        "problem": "Chip makers need devices that switch faster and waste less power as silicon scaling "
                   "slows.",
        "items": [
            ("Gallium oxide power transistor", "high-voltage converters",
             (
                 "blocks over 2 kV in a compact die",
                 "switches in nanoseconds",
                 "runs at a junction temperature of 200 °C",
             )),
            ("Ferroelectric memory cell", "low-power embedded memory",
             (
                 "retains data for ten years without power",
                 "is compatible with CMOS back-end processing",
                 "switches in nanoseconds",
             )),
        ],
        "markets": ["power semiconductors", "microcontrollers", "data centres"],
        "keywords": ["semiconductor", "transistor", "memory"],
    },
    "EL.SENS": {
        "lab": "sensor systems",
        "problem": "Monitoring air, water and machines still relies on bulky instruments that need frequent "
                   "calibration.",
        "items": [
            ("Printed gas sensor array", "indoor air quality monitoring",
             (
                 "detects volatile organic compounds at parts-per-billion levels",
                 "costs a fraction of laboratory instruments",
                 "is printed on flexible film",
             )),
            ("Fibre-optic strain sensor", "structural health monitoring of bridges",
             (
                 "needs no recalibration in the field",
                 "measures thousands of points along one fibre",
                 "is immune to electromagnetic interference",
             )),
            ("Wireless vibration sensor", "predictive maintenance of pumps",
             (
                 "runs for five years on a coin cell",
                 "needs no recalibration in the field",
                 "detects bearing wear weeks before failure",
             )),
        ],
        "markets": ["building automation", "infrastructure", "industrial maintenance"],
        "keywords": ["sensor", "monitoring", "IoT"],
    },
    "EL.PHOT": {
        "lab": "photonics",
        "problem": "Data centres and medical imaging are limited by the cost, size and power of optical "
                   "components.",
        "items": [
            ("Silicon photonic transceiver", "data-centre interconnects",
             (
                 "moves 800 Gb/s per fibre",
                 "halves the energy per bit",
                 "is made in a standard silicon foundry",
             )),
            ("Compact optical coherence tomography probe", "skin cancer imaging",
             (
                 "fits in a handheld probe",
                 "images 2 mm below the skin surface",
                 "shows tumour margins without a biopsy",
             )),
        ],
        "markets": ["data communications", "dermatology", "industrial metrology"],
        "keywords": ["photonics", "optics", "imaging"],
    },
    "EL.POWR": {
        "lab": "power electronics",
        "problem": "Chargers and inverters are bulky and lose energy as heat, limiting electric vehicles and "
                   "renewables.",
        "items": [
            ("Bidirectional on-board charger topology", "electric vehicles",
             (
                 "reaches 98% efficiency",
                 "halves the volume of the magnetics",
                 "meets automotive EMC limits",
             )),
            ("Wireless charging pad", "autonomous warehouse robots",
             (
                 "charges through 10 cm of air gap",
                 "tolerates 5 cm of misalignment",
                 "charges robots during short stops",
             )),
        ],
        "markets": ["automotive", "logistics automation", "renewable energy"],
        "keywords": ["power electronics", "charging", "inverter"],
    },
    "EL.MEMS": {
        "lab": "microsystems",
        "problem": "Consumer and medical devices need smaller, cheaper motion and pressure sensing than "
                   "today's components allow.",
        "items": [
            ("Piezoelectric MEMS microphone", "hearing aids",
             (
                 "is immune to dust and moisture",
                 "draws under 100 µA",
                 "uses standard wafer processes",
             )),
            ("MEMS micro-mirror", "automotive lidar scanning",
             (
                 "scans a 120-degree field of view",
                 "uses standard wafer processes",
                 "survives automotive shock and vibration tests",
             )),
        ],
        "markets": ["hearing health", "automotive sensing", "consumer electronics"],
        "keywords": ["MEMS", "microsystems", "lidar"],
    },
    "AG.CROP": {
        "lab": "plant sciences",
        "problem": "Crops lose yield to drought, heat and disease, and breeding new varieties takes a decade.",
        "items": [
            ("Drought-tolerant wheat trait", "dryland farming",
             (
                 "kept yield 20% higher under water stress in field trials",
                 "can be bred into elite varieties",
                 "does not reduce yield in wet years",
             )),
            ("RNA spray against fungal pathogens", "protecting grapevines",
             (
                 "leaves no chemical residue",
                 "degrades within days in the environment",
                 "controls downy mildew as well as copper sprays",
             )),
        ],
        "markets": ["seed companies", "crop protection", "viticulture"],
        "keywords": ["crop", "drought", "plant breeding"],
    },
    "AG.FOOD": {
        "lab": "food engineering",
        "problem": "Food spoils before it is eaten and plant-based alternatives still fall short on taste "
                   "and texture.",
        "items": [
            ("Edible coating from fruit waste", "extending the shelf life of fresh produce",
             (
                 "doubles the shelf life of berries",
                 "is made from by-products of juice production",
                 "uses only food-grade ingredients",
             )),
            ("High-moisture extrusion process", "whole-cut plant-based meat",
             (
                 "reproduces the fibrous texture of chicken",
                 "uses only food-grade ingredients",
                 "runs on standard food extruders",
             )),
        ],
        "markets": ["food retail", "alternative proteins", "food processing"],
        "keywords": ["food", "shelf life", "alternative protein"],
    },
    "AG.ANIM": {
        "lab": "veterinary sciences",
        "problem": "Livestock disease and antibiotic use threaten farm incomes and public health.",
        "items": [
            ("Rapid mastitis test", "dairy herds",
             (
                 "identifies the pathogen on the farm in 30 minutes",
                 "helps farmers avoid unnecessary antibiotics",
                 "needs no laboratory equipment",
             )),
            ("Feed additive that cuts methane emissions", "cattle farming",
             (
                 "reduced methane by 30% in trials",
                 "does not affect milk yield",
                 "is fed with the normal ration",
             )),
        ],
        "markets": ["dairy", "animal feed", "veterinary diagnostics"],
        "keywords": ["livestock", "animal health", "methane"],
    },
    "AG.AQUA": {
        "lab": "aquaculture",
        "problem": "Fish farms struggle with sea lice, feed costs and water quality, which limits sustainable "
                   "growth.",
        "items": [
            ("Insect-based fish feed formulation", "salmon farming",
             (
                 "replaces half the fishmeal without slowing growth",
                 "lowers the feed conversion ratio",
                 "uses insects reared on food waste",
             )),
            ("Underwater camera system for lice counting", "sea cage monitoring",
             (
                 "counts lice automatically on every fish",
                 "works in turbid water",
                 "reports infestation levels daily",
             )),
        ],
        "markets": ["aquaculture", "animal feed", "marine technology"],
        "keywords": ["aquaculture", "fish feed", "monitoring"],
    },
    "AG.PREC": {
        "lab": "agricultural engineering",
        "problem": "Farmers apply water, fertiliser and pesticide uniformly although fields vary metre by "
                   "metre.",
        "items": [
            ("Soil nitrate sensor probe", "variable-rate fertilisation",
             (
                 "cut fertiliser use by 20% with the same yield",
                 "reads soil nitrate in real time",
                 "runs for a season on one battery",
             )),
            ("Weed recognition system", "targeted herbicide spraying",
             (
                 "reduces herbicide use by 80%",
                 "mounts on existing sprayers",
                 "works in real time at field speed",
             )),
        ],
        "markets": ["farm machinery", "agronomy services", "fertiliser suppliers"],
        "keywords": ["precision agriculture", "sensors", "computer vision"],
    },
    "EV.WATR": {
        "lab": "environmental engineering",
        "problem": "PFAS and micropollutants pass through conventional treatment plants into drinking water.",
        "items": [
            ("Electrochemical PFAS destruction cell", "treating contaminated groundwater",
             (
                 "breaks down more than 99% of PFAS",
                 "runs on renewable electricity",
                 "works on short-chain PFAS that adsorbents miss",
             )),
            ("Ceramic membrane with photocatalytic layer", "removing pharmaceuticals from wastewater",
             (
                 "resists fouling",
                 "fits into existing treatment trains",
                 "removes 95% of pharmaceuticals",
             )),
        ],
        "markets": ["water utilities", "industrial wastewater", "remediation contractors"],
        "keywords": ["water treatment", "PFAS", "membrane"],
    },
    "EV.CARB": {
        "lab": "carbon management",
        "problem": "Capturing CO2 from air and flue gas costs too much energy to scale.",
        "items": [
            ("Metal-organic framework sorbent", "direct air capture",
             (
                 "regenerates at 80 °C",
                 "captures CO2 from humid air",
                 "keeps its capacity over 10,000 cycles",
             )),
            ("Mineral carbonation process", "storing CO2 in construction aggregates",
             (
                 "turns mine tailings into saleable aggregate",
                 "stores carbon permanently",
                 "uses waste heat from the host plant",
             )),
        ],
        "markets": ["carbon removal", "cement and aggregates", "mining"],
        "keywords": ["carbon capture", "CO2", "sorbent"],
    },
    "EV.RECY": {
        "lab": "circular economy",
        "problem": "Mixed plastics, textiles and electronics are hard to sort and recycle at a profit.",
        "items": [
            ("Hyperspectral sorting system", "separating black plastics",
             (
                 "identifies polymers that optical sorters miss",
                 "sorts three tonnes per hour",
                 "retrofits existing conveyor lines",
             )),
            ("Enzymatic textile recycling process", "polyester-cotton blends",
             (
                 "recovers both fibres from blended fabric",
                 "runs at mild temperatures",
                 "produces virgin-quality output",
             )),
        ],
        "markets": ["waste management", "fashion", "electronics recycling"],
        "keywords": ["recycling", "sorting", "circular economy"],
    },
    "EV.AIRQ": {
        "lab": "atmospheric science",
        "problem": "Air pollution varies street by street, but monitoring stations are few and expensive.",
        "items": [
            ("Low-cost particulate sensor network", "street-level air quality maps",
             (
                 "matches reference instruments within 10%",
                 "costs a hundredth of a monitoring station",
                 "publishes open air quality maps every minute",
             )),
            ("Photocatalytic facade panel", "removing nitrogen oxides in cities",
             (
                 "removes NOx using sunlight",
                 "needs no maintenance for five years",
                 "is made from standard concrete panels",
             )),
        ],
        "markets": ["municipalities", "construction", "environmental consultancies"],
        "keywords": ["air quality", "pollution", "sensors"],
    },
    "ME.ROBO": {
        "lab": "robotics",
        "problem": "Robots struggle with soft, irregular objects and with working safely next to people.",
        "items": [
            ("Soft gripper with tactile sensing", "picking fresh produce",
             (
                 "handles ripe fruit without bruising",
                 "learns new objects from a few demonstrations",
                 "handles objects from 5 grams to 2 kilograms",
             )),
            ("Collaborative robot safety controller", "shared assembly workstations",
             (
                 "detects contact in under 5 ms",
                 "retrofits existing robot arms",
                 "meets ISO 10218 safety requirements",
             )),
        ],
        "markets": ["agriculture", "manufacturing", "logistics"],
        "keywords": ["robotics", "gripper", "automation"],
    },
    "ME.ADDM": {
        "lab": "additive manufacturing",
        "problem": "Metal 3D printing is slow and parts need costly inspection because defects form unseen.",
        "items": [
            ("In-situ melt-pool monitoring system", "laser powder bed fusion",
             (
                 "detects porosity while the part is built",
                 "reduces scrap by 40%",
                 "retrofits commercial printers",
             )),
            ("Multi-material extrusion printhead", "printing functionally graded parts",
             (
                 "switches materials within a single layer",
                 "retrofits commercial printers",
                 "prints metals and polymers in one part",
             )),
        ],
        "markets": ["aerospace manufacturing", "medical implants", "tooling"],
        "keywords": ["3D printing", "additive manufacturing", "quality control"],
    },
    "ME.AUTO": {
        "lab": "control engineering",
        "problem": "Industrial processes run with conservative settings because their controllers cannot "
                   "adapt to changing conditions.",
        "items": [
            ("Model-predictive controller", "energy-efficient building heating",
             (
                 "cut heating energy by 25% in an office building",
                 "adapts to weather forecasts",
                 "runs on standard PLC hardware",
             )),
            ("Digital twin for process control", "continuous chemical reactors",
             (
                 "shortens commissioning from weeks to days",
                 "runs on standard PLC hardware",
                 "raised reactor yield by 4%",
             )),
        ],
        "markets": ["building automation", "process industry", "HVAC"],
        "keywords": ["control", "digital twin", "energy efficiency"],
    },
    "ME.FLUI": {
        "lab": "fluid dynamics",
        "problem": "Pumps, pipes and hulls waste energy to turbulence and drag.",
        "items": [
            ("Riblet film for drag reduction", "ship hulls",
             (
                 "reduced friction drag by 8% in towing-tank tests",
                 "is applied like a paint film",
                 "lasts a full dry-docking cycle",
             )),
            ("Pulsation damper", "hydrogen compressors",
             (
                 "cuts pressure pulsations by 90%",
                 "has no moving parts",
                 "extends compressor valve life",
             )),
        ],
        "markets": ["shipping", "energy", "process equipment"],
        "keywords": ["fluid dynamics", "drag", "efficiency"],
    },
    "TR.AERO": {
        "lab": "aerospace engineering",
        "problem": "Aircraft must cut fuel burn and emissions, but new configurations add weight and "
                   "certification risk.",
        "items": [
            ("Morphing wing trailing edge", "regional aircraft",
             (
                 "cut fuel burn by 5% in wind-tunnel tests",
                 "replaces conventional flaps without gaps",
                 "reduces noise on approach",
             )),
            ("Hybrid-electric propulsion controller", "short-haul aircraft",
             (
                 "balances battery and turbine power in flight",
                 "was tested on an iron-bird rig",
                 "cut fuel burn by 15% in simulation",
             )),
        ],
        "markets": ["aircraft manufacturers", "drones", "urban air mobility"],
        "keywords": ["aerospace", "aircraft", "electrification"],
    },
    "TR.AUTV": {
        "lab": "vehicle engineering",
        "problem": "Electric vehicles still cost more than combustion cars and their batteries age fast in "
                   "hot climates.",
        "items": [
            ("Immersion cooling system for battery packs", "fast-charging electric vehicles",
             (
                 "keeps cells within 3 °C during fast charging",
                 "uses a non-flammable dielectric fluid",
                 "fits in existing platform envelopes",
             )),
            ("Axial-flux motor design", "compact electric drivetrains",
             (
                 "doubles torque density",
                 "uses no rare-earth magnets",
                 "fits in existing platform envelopes",
             )),
        ],
        "markets": ["automotive OEMs", "commercial vehicles", "two-wheelers"],
        "keywords": ["electric vehicle", "motor", "thermal management"],
    },
    "TR.LOGI": {
        "lab": "operations research",
        "problem": "Delivery fleets drive empty kilometres and warehouses plan with yesterday's data.",
        "items": [
            ("Dynamic route optimisation engine", "same-day urban deliveries",
             (
                 "cut delivery distance by 12% in a pilot",
                 "re-plans routes in seconds",
                 "handles thousands of stops per plan",
             )),
            ("Demand forecasting model", "warehouse labour planning",
             (
                 "improved forecast accuracy by 30%",
                 "integrates with common WMS systems",
                 "forecasts at hourly resolution",
             )),
        ],
        "markets": ["parcel delivery", "retail", "third-party logistics"],
        "keywords": ["logistics", "optimisation", "forecasting"],
    },
    "TR.RAIL": {
        "lab": "railway engineering",
        "problem": "Rail and port infrastructure is inspected manually and fails unexpectedly.",
        "items": [
            ("Acoustic rail-defect detector", "in-service trains",
             (
                 "finds cracks at line speed",
                 "uses microphones fitted under the train",
                 "needs no track possession",
             )),
            ("Wind-assisted propulsion sail", "bulk carriers",
             (
                 "saves up to 20% of fuel on favourable routes",
                 "folds automatically in port",
                 "retrofits existing vessels",
             )),
        ],
        "markets": ["rail operators", "shipping", "infrastructure managers"],
        "keywords": ["rail", "maritime", "inspection"],
    },
    "CO.BMAT": {
        "lab": "construction materials",
        "problem": "Cement production emits 8% of global CO2, and buildings need better insulation.",
        "items": [
            ("Low-carbon calcined-clay cement", "structural concrete",
             (
                 "cuts CO2 emissions by 40%",
                 "reaches standard compressive strength in 28 days",
                 "uses abundant clays",
             )),
            ("Bio-based insulation panel", "retrofitting old buildings",
             (
                 "is made from agricultural residues",
                 "regulates indoor humidity",
                 "matches the insulation value of mineral wool",
             )),
        ],
        "markets": ["cement producers", "construction", "building renovation"],
        "keywords": ["concrete", "building materials", "insulation"],
    },
    "CO.SMRT": {
        "lab": "building physics",
        "problem": "Buildings waste energy heating empty rooms and react too late to occupants' needs.",
        "items": [
            ("Occupancy sensing with existing Wi-Fi", "demand-controlled ventilation",
             (
                 "needs no cameras or new sensors",
                 "cut ventilation energy by 30%",
                 "respects occupants' privacy",
             )),
            ("Fault detection for heat pumps", "residential heating",
             (
                 "detects faults before comfort suffers",
                 "works with major heat-pump brands",
                 "runs on telemetry the heat pumps already send",
             )),
        ],
        "markets": ["facility management", "HVAC manufacturers", "energy services"],
        "keywords": ["smart building", "heat pump", "occupancy"],
    },
    "CO.CIVL": {
        "lab": "structural engineering",
        "problem": "Ageing bridges and tunnels need assessment, but inspections are slow and subjective.",
        "items": [
            ("Computer-vision crack mapping", "bridge inspections",
             (
                 "maps cracks down to 0.1 mm from drone images",
                 "halves inspection time",
                 "tracks crack growth between inspections",
             )),
            ("Shape-memory alloy reinforcement", "seismic retrofitting",
             (
                 "re-centres structures after earthquakes",
                 "is installed without closing the structure",
                 "needs no maintenance after installation",
             )),
        ],
        "markets": ["infrastructure owners", "engineering consultancies", "construction"],
        "keywords": ["civil engineering", "inspection", "seismic"],
    },
    "ED.EDTE": {
        "lab": "learning sciences",
        "problem": "Teachers cannot give every student timely feedback, and online courses lose most "
                   "learners.",
        "items": [
            ("Adaptive feedback engine", "teaching introductory programming",
             (
                 "improved pass rates by 15% in a controlled study",
                 "gives feedback within seconds",
                 "supports Python and Java exercises",
             )),
            ("Learning analytics dashboard", "identifying students at risk of dropping out",
             (
                 "flags at-risk students by week three",
                 "respects student data protection rules",
                 "integrates with Moodle and Canvas",
             )),
        ],
        "markets": ["universities", "online learning platforms", "schools"],
        "keywords": ["education", "learning analytics", "feedback"],
    },
    "ED.SOCI": {
        "lab": "social innovation",
        "problem": "Public services struggle to reach the people who need them most.",
        "items": [
            ("Participatory budgeting platform", "municipal decision-making",
             (
                 "doubled citizen participation in two pilot cities",
                 "is available in six languages",
                 "makes every vote auditable",
             )),
            ("Community energy cooperative toolkit", "shared rooftop solar",
             (
                 "handles member accounting automatically",
                 "complies with local energy regulation",
                 "includes model statutes and contracts",
             )),
        ],
        "markets": ["local government", "non-profits", "energy cooperatives"],
        "keywords": ["civic technology", "participation", "community energy"],
    },
}

#: university slug (from the demo accounts) -> the parent fields it is strong in
SPECIALITIES = {
    "northbridge-university": ("LS", "IT", "EL", "ED"),
    "th-rheinland": ("ME", "EN", "TR", "CO"),
    "lisbon-applied-sciences": ("AG", "EV", "LS", "ED"),
    "kyoto-institute-of-materials": ("CH", "EL", "EN", "TR"),
}

INVENTOR_NAMES = (
    "Amelia Brooks", "Rahul Mehta", "Sofia Marques", "Kenji Watanabe", "Lukas Hoffmann", "Chiara Romano",
    "Olusegun Adeyemi", "Hannah Schmidt", "Yuki Tanaka", "Miguel Ferreira", "Grace O'Neill", "Wei Zhang",
    "Elena Petrova", "Jonas Lindqvist", "Fatima Haddad", "David Cohen", "Ana Costa", "Takeshi Mori",
    "Laura Becker", "Samuel Osei", "Isabel Sousa", "Noah Fischer", "Mei Lin", "Ricardo Almeida",
)

STAGE_EVIDENCE = {
    "concept": "modelling and first experiments",
    "proof_of_concept": "laboratory experiments",
    "prototype": "tests of a working prototype",
    "validated": "validation studies with an industrial partner",
    "pilot": "a pilot deployment",
    "market_ready": "use at early customer sites",
}

OPPORTUNITY_PHRASES = {
    "license": "license the technology",
    "sponsored_research": "sponsor further research",
    "co_development": "co-develop a product",
    "startup_formation": "found a startup around it",
}

EXPRESS_LICENSE_TERMS = (
    "Non-exclusive, non-transferable license to make, use and sell products in the licensed fields and "
    "territories for the term. No sublicensing. Royalty-free after the one-time fee. The university "
    "gives no warranty of validity or non-infringement."
)
