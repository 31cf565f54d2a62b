"""Static name data for the synthetic KK Park roster.

Everything here is invented demo data written out by hand: common given and family names of
each nationality, never real people. No Faker (or anything else) runs at import or at run time.

Where a naming tradition has no inherited family name, `family` holds what a Thai roster puts
in the family-name column in practice:
- Ethiopia, Tanzania: the father's given name;
- Indonesia: a second given name, or a Batak clan name;
- Myanmar: the last part of a personal name ("Aung Kyaw" + "Moe"), since Burmese names have
  no family name at all;
- Malaysia (Malay names): the father's name, with "bin" / "binti" left out;
- Rwanda, Burundi: the Kinyarwanda / Kirundi personal name beside a Christian name.
`family_female`, when not empty, replaces `family` for women: Russian surnames change with
sex, Sikh women take "Kaur", Ugandan and Rwandan personal names are mostly gendered, and
Bangladeshi women often carry "Akter", "Begum" or "Khatun".
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NameSet:
    given_female: tuple[str, ...]
    given_male: tuple[str, ...]
    family: tuple[str, ...]
    family_female: tuple[str, ...] = ()


# Modelled on the Tak border command centre's count of 1 November 2025 (1,595 people: India 465,
# Philippines 220, China 185, Viet Nam 151, Ethiopia 130, then more than 20 other countries),
# scaled to the 1,500 people and 28 nationalities of the demo.
NATIONALITY_MIX: tuple[tuple[str, int], ...] = (
    ("IN", 480),
    ("PH", 220),
    ("CN", 190),
    ("VN", 150),
    ("ET", 130),
    ("KE", 45),
    ("PK", 40),
    ("ID", 35),
    ("NP", 35),
    ("LK", 25),
    ("TH", 25),
    ("LA", 15),
    ("BD", 13),
    ("MM", 10),
    ("GH", 10),
    ("NG", 10),
    ("UG", 10),
    ("UA", 8),
    ("KH", 8),
    ("ZA", 6),
    ("TZ", 6),
    ("MY", 6),
    ("RW", 5),
    ("BI", 4),
    ("BR", 4),
    ("RU", 4),
    ("TR", 3),
    ("EG", 3),
)

# English names a roster may carry instead of the code; the first is the usual one. Every name
# here resolves through app.nationalities.service.resolve_nationality.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "IN": ("India",),
    "PH": ("Philippines",),
    "CN": ("China",),
    "VN": ("Viet Nam", "Vietnam"),
    "ET": ("Ethiopia",),
    "KE": ("Kenya",),
    "PK": ("Pakistan",),
    "ID": ("Indonesia",),
    "NP": ("Nepal",),
    "LK": ("Sri Lanka",),
    "TH": ("Thailand",),
    "LA": ("Laos", "Lao People's Democratic Republic"),
    "BD": ("Bangladesh",),
    "MM": ("Myanmar", "Burma"),
    "GH": ("Ghana",),
    "NG": ("Nigeria",),
    "UG": ("Uganda",),
    "UA": ("Ukraine",),
    "KH": ("Cambodia",),
    "ZA": ("South Africa",),
    "TZ": ("Tanzania", "United Republic of Tanzania"),
    "MY": ("Malaysia",),
    "RW": ("Rwanda",),
    "BI": ("Burundi",),
    "BR": ("Brazil",),
    "RU": ("Russia", "Russian Federation"),
    "TR": ("Türkiye", "Turkey"),
    "EG": ("Egypt",),
}

# Countries whose naming traditions should not be mixed within one person ("Gurpreet Iyer").
NAME_GROUPS: dict[str, tuple[NameSet, ...]] = {
    "IN": (
        NameSet(  # Hindi belt
            given_female=("Priya", "Sunita", "Pooja", "Neha", "Kavita", "Jyoti", "Ritu",
                          "Swati", "Anjali", "Shalini"),
            given_male=("Rahul", "Amit", "Vikas", "Sanjay", "Rohit", "Ajay", "Deepak",
                        "Abhishek", "Manoj", "Pankaj"),
            family=("Sharma", "Verma", "Yadav", "Gupta", "Mishra", "Pandey", "Tiwari",
                    "Kumar", "Singh", "Chauhan"),
        ),
        NameSet(  # Punjab
            given_female=("Harpreet", "Simranjeet", "Manpreet", "Jaspreet", "Navneet",
                          "Gurleen", "Rajwinder", "Amandeep"),
            given_male=("Gurpreet", "Harjit", "Jaspal", "Manjit", "Sukhwinder", "Baljit",
                        "Amarjeet", "Lovepreet"),
            family=("Singh", "Gill", "Sandhu", "Dhillon", "Sidhu", "Grewal", "Brar"),
            family_female=("Kaur", "Kaur Gill", "Kaur Sandhu", "Kaur Dhillon", "Kaur Sidhu"),
        ),
        NameSet(  # West Bengal
            given_female=("Moumita", "Ananya", "Sreeparna", "Rupali", "Payel", "Sudeshna",
                          "Tanushree", "Riya"),
            given_male=("Sourav", "Arindam", "Subhajit", "Debashis", "Anirban", "Partha",
                        "Sayan", "Tapas"),
            family=("Banerjee", "Chatterjee", "Mukherjee", "Ghosh", "Bose", "Das", "Sen",
                    "Dutta", "Roy", "Saha"),
        ),
        NameSet(  # Tamil Nadu, Kerala, Andhra Pradesh, Telangana, Karnataka
            given_female=("Lakshmi", "Meenakshi", "Divya", "Anusha", "Keerthana", "Revathi",
                          "Aswathy", "Sowmya", "Priyanka", "Deepa"),
            given_male=("Karthik", "Arun", "Suresh", "Senthil", "Sreejith", "Vishnu", "Naveen",
                        "Srinivas", "Praveen", "Harish"),
            family=("Nair", "Menon", "Pillai", "Iyer", "Reddy", "Naidu", "Rao", "Krishnan",
                    "Murugan", "Gowda"),
        ),
        NameSet(  # Maharashtra, Gujarat
            given_female=("Sneha", "Pallavi", "Snehal", "Komal", "Hetal", "Bhavna", "Nikita",
                          "Shraddha"),
            given_male=("Sachin", "Nilesh", "Ganesh", "Rohan", "Hardik", "Jignesh", "Tushar",
                        "Mayur"),
            family=("Patil", "Deshmukh", "Shinde", "Jadhav", "Kulkarni", "Patel", "Shah",
                    "Desai", "Joshi", "Pawar"),
        ),
        NameSet(  # Muslim names across India
            given_female=("Fathima", "Ayesha", "Nazia", "Shabnam", "Rukhsar", "Afreen", "Sana",
                          "Heena"),
            given_male=("Mohammed", "Imran", "Faisal", "Arif", "Salman", "Aamir", "Irfan",
                        "Shahid"),
            family=("Khan", "Shaikh", "Ansari", "Qureshi", "Siddiqui", "Syed", "Pathan",
                    "Hussain"),
        ),
        NameSet(  # Kerala and Goa Christian, Northeast
            given_female=("Jincy", "Reshma", "Ancy", "Merin", "Lalremruati", "Bidisha"),
            given_male=("Jithin", "Jobin", "Anish", "Tony", "Lalrinpuia", "Dhruba"),
            family=("Thomas", "Joseph", "Varghese", "Fernandes", "D'Souza", "Hazarika",
                    "Bora"),
        ),
    ),
    "LK": (
        NameSet(  # Sinhala
            given_female=("Dilani", "Nadeesha", "Chamari", "Sanduni", "Ishara", "Tharushi",
                          "Kavindya", "Nirosha", "Dilrukshi", "Sewwandi", "Thilini", "Hiruni"),
            given_male=("Kasun", "Nuwan", "Chaminda", "Tharindu", "Dinesh", "Lahiru",
                        "Sampath", "Pradeep", "Ruwan", "Isuru", "Chathura", "Kanishka"),
            family=("Perera", "Fernando", "Silva", "Jayasinghe", "Bandara", "Wickramasinghe",
                    "Rathnayake", "Dissanayake", "Gunawardena", "Herath", "Kumara",
                    "Wijesinghe", "Pathirana", "Jayawardena"),
        ),
        NameSet(  # Tamil
            given_female=("Kalaivani", "Tharani", "Nishanthini", "Sharmila", "Kowsalya",
                          "Thivya"),
            given_male=("Kajan", "Niroshan", "Mathusan", "Thanushan", "Kirushanth",
                        "Sivakumar"),
            family=("Thevarajah", "Kanagaratnam", "Selvarajah", "Navaratnam", "Balachandran",
                    "Yogarajah"),
        ),
        NameSet(  # Muslim
            given_female=("Rizna", "Fathima", "Shifna", "Aroosa"),
            given_male=("Rizwan", "Imthiyas", "Fazil", "Azhar"),
            family=("Mohamed", "Cassim", "Marikar", "Lebbe"),
        ),
    ),
    "NG": (
        NameSet(  # Igbo
            given_female=("Chiamaka", "Ngozi", "Adaeze", "Chioma", "Amaka", "Ifeoma", "Nneka",
                          "Uchechi"),
            given_male=("Chinedu", "Emeka", "Uchenna", "Chukwuemeka", "Obinna", "Ifeanyi",
                        "Kelechi", "Ikenna"),
            family=("Okafor", "Okonkwo", "Eze", "Nwosu", "Okoro", "Obi", "Chukwu", "Onyeka",
                    "Nwachukwu", "Okeke"),
        ),
        NameSet(  # Yoruba
            given_female=("Funmilayo", "Folake", "Temitope", "Yetunde", "Adeola", "Bukola",
                          "Oluwakemi", "Titilayo"),
            given_male=("Tunde", "Segun", "Babatunde", "Olumide", "Oluwaseun", "Kayode",
                        "Adewale", "Femi"),
            family=("Adeyemi", "Balogun", "Ogunleye", "Adebayo", "Oladipo", "Ojo", "Afolabi",
                    "Akinola", "Oyewole"),
        ),
        NameSet(  # Hausa
            given_female=("Aisha", "Zainab", "Hauwa", "Fatima", "Amina", "Hadiza"),
            given_male=("Ibrahim", "Musa", "Abubakar", "Sani", "Aliyu", "Yusuf"),
            family=("Bello", "Abubakar", "Ibrahim", "Usman", "Mohammed", "Suleiman"),
        ),
    ),
}


# How often each of NAME_GROUPS' traditions is drawn, in the same order.
NAME_GROUP_WEIGHTS: dict[str, tuple[int, ...]] = {
    "IN": (30, 15, 10, 20, 10, 10, 5),
    "LK": (70, 20, 10),
    "NG": (40, 40, 20),
}


def _merge(groups: tuple[NameSet, ...]) -> NameSet:
    def union(parts: list[tuple[str, ...]]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for part in parts for name in part))

    return NameSet(
        given_female=union([g.given_female for g in groups]),
        given_male=union([g.given_male for g in groups]),
        family=union([g.family for g in groups]),
        family_female=union([g.family_female or g.family for g in groups]),
    )


NAMES: dict[str, NameSet] = {
    "IN": _merge(NAME_GROUPS["IN"]),
    "PH": NameSet(
        given_female=("Maria", "Kristine", "Jocelyn", "Angelica", "Rowena", "Maricel",
                      "Jennifer", "Mary Grace", "Lovely", "Rhea", "Joanna", "Divina", "Liezl",
                      "Princess", "Camille", "Aileen", "Cherry", "Marites"),
        given_male=("Jose", "Mark Anthony", "John Paul", "Rodel", "Jericho", "Ramil",
                    "Christian", "Joel", "Arnel", "Romeo", "Jayson", "Reynaldo", "Jomar",
                    "Ronaldo", "Kenneth", "Danilo", "Ariel", "Jerome"),
        family=("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Dela Cruz",
                "Villanueva", "Ramos", "Aquino", "Castillo", "Fernandez", "Gonzales",
                "Pascual", "Manalo", "Navarro", "Torres", "Soriano", "Tolentino", "Dizon",
                "Macaraeg", "De Guzman"),
    ),
    "CN": NameSet(  # Hanyu Pinyin as in the passport
        given_female=("Xiuying", "Guiying", "Lijuan", "Jing", "Min", "Tingting", "Yan",
                      "Xiaohong", "Hui", "Fang", "Na", "Xue", "Yuqing", "Ying", "Lina",
                      "Xiaoli", "Mei", "Jiayi"),
        given_male=("Wei", "Qiang", "Lei", "Jun", "Yang", "Jie", "Tao", "Chao", "Ming", "Hao",
                    "Peng", "Zhiwei", "Jianguo", "Haoran", "Yong", "Bo", "Gang", "Xiang",
                    "Zihao"),
        family=("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
                "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao", "Zheng"),
    ),
    "VN": NameSet(  # precomposed (NFC) Vietnamese, as the passport's visual zone prints it
        given_female=("Thị Lan", "Thị Hoa", "Thị Hương", "Thị Mai", "Thu Trang", "Ngọc Anh",
                      "Thị Hằng", "Thanh Huyền", "Phương Thảo", "Thị Nga", "Kim Ngân",
                      "Thị Thủy", "Mỹ Linh", "Thị Dung", "Bích Ngọc", "Thị Hà"),
        given_male=("Văn Hùng", "Văn Nam", "Minh Tuấn", "Đức Anh", "Văn Long", "Quang Huy",
                    "Văn Thành", "Hoàng Nam", "Tiến Dũng", "Văn Đức", "Quốc Bảo",
                    "Mạnh Cường", "Văn Hiếu", "Thanh Tùng", "Đình Khoa", "Hữu Phước"),
        family=("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
                "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh"),
    ),
    "ET": NameSet(  # family = father's given name
        given_female=("Tigist", "Selamawit", "Hiwot", "Meron", "Bethlehem", "Mekdes", "Hanna",
                      "Liya", "Tsion", "Rahel", "Marta", "Kidist", "Frehiwot", "Eden",
                      "Aster", "Almaz", "Yordanos", "Chaltu", "Lelise"),
        given_male=("Abebe", "Dawit", "Yonas", "Tesfaye", "Getachew", "Kebede", "Solomon",
                    "Biniyam", "Henok", "Mulugeta", "Tadesse", "Ermias", "Fitsum", "Abel",
                    "Girma", "Bereket", "Gemechu", "Lemi"),
        family=("Alemu", "Bekele", "Tadesse", "Haile", "Gebremedhin", "Tesfaye", "Mengistu",
                "Assefa", "Wolde", "Desta", "Mekonnen", "Girma", "Abera", "Negash", "Kassa",
                "Ayele", "Lemma", "Worku", "Tekle", "Gudeta", "Gebreyesus"),
    ),
    "KE": NameSet(
        given_female=("Mercy", "Faith", "Grace", "Esther", "Cynthia", "Sharon", "Purity",
                      "Winnie", "Caroline", "Brenda", "Lucy", "Joy", "Beatrice", "Diana",
                      "Nancy", "Wanjiru", "Akinyi", "Chebet"),
        given_male=("Brian", "Kevin", "Dennis", "Collins", "Evans", "Peter", "Joseph",
                    "Samuel", "David", "Stephen", "Victor", "Eric", "Moses", "Felix", "Kelvin",
                    "Kamau", "Kiprono"),
        family=("Otieno", "Kamau", "Mwangi", "Ochieng", "Kiprono", "Wafula", "Mutua",
                "Omondi", "Kiptoo", "Njoroge", "Kimani", "Barasa", "Wanjala", "Cheruiyot",
                "Onyango", "Odhiambo", "Kariuki", "Mutiso", "Koech", "Wambua"),
    ),
    "PK": NameSet(
        given_female=("Ayesha", "Fatima", "Sana", "Hina", "Maryam", "Zainab", "Rabia", "Nimra",
                      "Iqra", "Amna", "Mehwish", "Saima", "Bushra", "Sadia", "Kiran",
                      "Noreen"),
        given_male=("Muhammad", "Ali", "Usman", "Bilal", "Hamza", "Imran", "Asad", "Faisal",
                    "Waqas", "Zeeshan", "Adnan", "Shahid", "Kashif", "Hassan", "Umar",
                    "Junaid", "Tariq", "Naveed"),
        family=("Khan", "Ahmed", "Hussain", "Malik", "Butt", "Chaudhry", "Qureshi", "Sheikh",
                "Raza", "Iqbal", "Akhtar", "Shah", "Abbasi", "Mirza", "Anwar", "Javed",
                "Siddiqui", "Baloch", "Awan"),
    ),
    "ID": NameSet(  # family = a second given name or a Batak clan name
        given_female=("Siti", "Dewi", "Sri", "Rina", "Putri", "Wulan", "Ayu", "Indah", "Nur",
                      "Fitri", "Yuliana", "Ratna", "Anisa", "Novita", "Kartika", "Lestari"),
        given_male=("Budi", "Agus", "Dedi", "Eko", "Andi", "Rudi", "Hendra", "Joko", "Wahyu",
                    "Rizky", "Bambang", "Arif", "Fajar", "Yusuf", "Dimas", "Ahmad", "Irfan"),
        family=("Setiawan", "Wijaya", "Hidayat", "Kurniawan", "Santoso", "Nugroho",
                "Gunawan", "Siregar", "Simanjuntak", "Nasution", "Harahap", "Lubis",
                "Sinaga", "Susanto", "Hutapea", "Purnomo", "Tanjung", "Halim"),
    ),
    "NP": NameSet(
        given_female=("Sita", "Gita", "Sabina", "Sarita", "Anita", "Sunita", "Rojina",
                      "Manisha", "Srijana", "Kabita", "Bimala", "Puja", "Asmita", "Nirmala",
                      "Samjhana", "Pemba"),
        given_male=("Ram", "Hari", "Bikash", "Suman", "Prakash", "Sagar", "Rajendra",
                    "Bishal", "Dipendra", "Nabin", "Sujan", "Anish", "Kiran", "Santosh",
                    "Bibek", "Roshan", "Gopal", "Mingmar"),
        family=("Shrestha", "Tamang", "Gurung", "Magar", "Rai", "Limbu", "Thapa", "Adhikari",
                "Khadka", "Karki", "Basnet", "Poudel", "Bhandari", "Sharma", "Chaudhary",
                "Yadav", "Lama", "Sherpa", "Koirala"),
    ),
    "LK": _merge(NAME_GROUPS["LK"]),
    "TH": NameSet(
        given_female=("Siriporn", "Supaporn", "Nattaya", "Kanokwan", "Pimchanok", "Wanida",
                      "Sudarat", "Kanya", "Pornthip", "Jiraporn", "Arunee", "Rattana",
                      "Chutima", "Malee", "Warunee", "Nongnuch"),
        given_male=("Somchai", "Somsak", "Prasert", "Wichai", "Anan", "Thanakorn", "Chaiwat",
                    "Nattapong", "Kittisak", "Sombat", "Suriya", "Pongsak", "Apichart",
                    "Weerapong", "Teerawat", "Surachai"),
        family=("Jaidee", "Suksawat", "Srisuk", "Wongyai", "Kaewmanee", "Saetang", "Thongdee",
                "Boonmee", "Charoensuk", "Rattanapong", "Phromma", "Khamsaen", "Inthachai",
                "Sangthong", "Chanthawong", "Pongpanich"),
    ),
    "LA": NameSet(
        given_female=("Khamla", "Manivanh", "Vilayvanh", "Chanthaly", "Bouavanh", "Daovone",
                      "Sengdao", "Vanida", "Latsamy", "Noy", "Phetmany", "Kesone",
                      "Souphaphone", "Malaykham", "Viengkham", "Keo"),
        given_male=("Somphone", "Bounmy", "Khamphet", "Souksavanh", "Thongchanh", "Phonexay",
                    "Sisouphanh", "Vilaysack", "Khamsing", "Bounthanh", "Somsack",
                    "Sengphet", "Anousone", "Kongkeo", "Xaysana", "Phoutthasone"),
        family=("Phommachanh", "Vongsavath", "Sisavath", "Keomany", "Inthavong",
                "Phanthavong", "Souvannavong", "Sayavong", "Chanthavong", "Vilaysouk",
                "Sengsouvanh", "Xayavong", "Douangsavanh", "Keovongsa", "Sihavong",
                "Luangrath", "Phimmasone", "Thammavong"),
    ),
    "BD": NameSet(
        given_female=("Nasrin", "Shirin", "Taslima", "Rokeya", "Farzana", "Sharmin",
                      "Sumaiya", "Tahmina", "Jannatul", "Ruma", "Shathi", "Mitu", "Lipi",
                      "Nusrat", "Mousumi", "Ritu"),
        given_male=("Md Rahim", "Md Karim", "Hasan", "Rafiq", "Shakil", "Sohel", "Masud",
                    "Jahid", "Rubel", "Sumon", "Anwar", "Kamal", "Arif", "Mamun", "Shahin",
                    "Rakib", "Tanvir", "Milon"),
        family=("Hossain", "Rahman", "Islam", "Ahmed", "Uddin", "Miah", "Chowdhury",
                "Sarker", "Haque", "Alam", "Mondal", "Sheikh", "Talukder", "Biswas", "Das",
                "Molla"),
        family_female=("Akter", "Begum", "Khatun", "Sultana", "Islam", "Rahman",
                       "Hossain", "Chowdhury", "Sarker", "Haque", "Alam", "Biswas", "Das",
                       "Ahmed", "Jahan"),
    ),
    "MM": NameSet(  # no family names: `family` is the last part of the personal name
        given_female=("Thandar", "Hnin", "Khin", "Su", "Nan", "Ei", "Thida", "Aye", "May",
                      "Yadanar", "Zin", "Nilar", "Thiri", "Sandar", "Nandar", "Hsu"),
        given_male=("Aung", "Kyaw", "Min", "Zaw", "Htet", "Thura", "Ye", "Naing", "Tun", "Soe",
                    "Win", "Myo", "Ko", "Nay", "Phyo", "Hein", "Saw"),
        family=("Oo", "Lwin", "Htay", "Naing", "Kyaw", "Hlaing", "Zaw", "Aung", "Tun",
                "Thein", "Soe", "Htet", "Thant", "Min", "Myint", "Phyo", "Kyaw Zin",
                "Min Thant"),
        family_female=("Phyu", "Nwe", "Moe", "Win", "Khaing", "Thin", "Aye", "Myint", "Htwe",
                       "Mon", "Oo", "Lwin", "Hlaing", "Wai", "Ei Phyo", "Thet Htar"),
    ),
    "GH": NameSet(
        given_female=("Akosua", "Ama", "Abena", "Efua", "Adwoa", "Afia", "Akua", "Yaa", "Esi",
                      "Gifty", "Mercy", "Priscilla", "Comfort", "Vida", "Joyce", "Patience"),
        given_male=("Kwame", "Kofi", "Kwaku", "Yaw", "Kwabena", "Kojo", "Kwesi", "Fiifi",
                    "Emmanuel", "Richard", "Samuel", "Isaac", "Eric", "Ebenezer", "Prince",
                    "Daniel"),
        family=("Mensah", "Owusu", "Boateng", "Asante", "Osei", "Agyeman", "Appiah", "Amoah",
                "Addo", "Ofori", "Darko", "Antwi", "Quaye", "Acheampong", "Opoku", "Sarpong",
                "Tetteh", "Ansah"),
    ),
    "NG": _merge(NAME_GROUPS["NG"]),
    "UG": NameSet(
        given_female=("Sarah", "Juliet", "Brenda", "Prossy", "Sharon", "Esther", "Ruth",
                      "Agnes", "Harriet", "Winnie", "Rebecca", "Grace", "Joan", "Doreen",
                      "Patience", "Immaculate"),
        given_male=("Ivan", "Ronald", "Isaac", "Moses", "Joseph", "Brian", "Denis",
                    "Emmanuel", "Paul", "Robert", "Henry", "Alex", "Godfrey", "Patrick",
                    "Edward", "Sam"),
        family=("Kato", "Mugisha", "Ssempala", "Okello", "Ouma", "Kiggundu", "Mukasa",
                "Ssebunya", "Tumusiime", "Byaruhanga", "Opio", "Odongo", "Wasswa", "Lubega",
                "Kasozi", "Musoke", "Ochen", "Otim"),
        family_female=("Nakato", "Namubiru", "Nansubuga", "Nabirye", "Nalubega", "Nakimuli",
                       "Akello", "Auma", "Atim", "Apio", "Nambi", "Namutebi", "Nassali",
                       "Birungi", "Kyomugisha", "Atuhaire", "Ainembabazi"),
    ),
    "UA": NameSet(  # Ukraine's 2010 official transliteration
        given_female=("Olena", "Oksana", "Iryna", "Nataliia", "Tetiana", "Yuliia", "Kateryna",
                      "Anastasiia", "Mariia", "Viktoriia", "Halyna", "Svitlana", "Daryna",
                      "Sofiia", "Khrystyna", "Liudmyla"),
        given_male=("Oleksandr", "Andrii", "Serhii", "Dmytro", "Volodymyr", "Yurii", "Mykola",
                    "Vasyl", "Ihor", "Maksym", "Oleh", "Taras", "Bohdan", "Vitalii", "Roman",
                    "Artem"),
        family=("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk",
                "Boiko", "Kovalchuk", "Oliinyk", "Shevchuk", "Polishchuk", "Lysenko",
                "Marchenko", "Savchenko", "Rudenko", "Moroz", "Pavlenko"),
    ),
    "KH": NameSet(
        given_female=("Sopheap", "Sreymom", "Chanthou", "Bopha", "Sophea", "Kanha", "Malis",
                      "Channary", "Sreyleak", "Raksmey", "Sreypov", "Leakhena", "Davy",
                      "Sokunthea", "Socheata", "Theary"),
        given_male=("Sokha", "Dara", "Vannak", "Rithy", "Sovann", "Piseth", "Visal", "Sophal",
                    "Kosal", "Vuthy", "Sarath", "Bunthoeun", "Chhay", "Mony", "Samnang",
                    "Virak"),
        family=("Sok", "Chan", "Kim", "Heng", "Chea", "Ly", "Seng", "Meas", "Keo", "Pich",
                "Sim", "Touch", "Nhem", "Som", "Ouk", "Yim", "Hem", "Prak"),
    ),
    "ZA": NameSet(
        given_female=("Thandiwe", "Nomvula", "Lerato", "Palesa", "Zanele", "Nthabiseng",
                      "Ayanda", "Busisiwe", "Precious", "Refilwe", "Lindiwe", "Naledi",
                      "Thembi", "Bongiwe", "Kamogelo", "Nokuthula"),
        given_male=("Sipho", "Thabo", "Mandla", "Sibusiso", "Themba", "Lwazi", "Kagiso",
                    "Bongani", "Tshepo", "Jabulani", "Lungile", "Xolani", "Lucky",
                    "Siyabonga", "Katlego", "Tebogo"),
        family=("Dlamini", "Nkosi", "Ndlovu", "Khumalo", "Mokoena", "Mahlangu", "Mthembu",
                "Zulu", "Sithole", "Ngcobo", "Molefe", "Mabaso", "Baloyi", "Shabalala",
                "Mkhize", "Radebe", "Maseko"),
    ),
    "TZ": NameSet(  # family = father's given name or a clan name
        given_female=("Neema", "Rehema", "Upendo", "Zawadi", "Halima", "Mwanaisha", "Asha",
                      "Rose", "Anna", "Happiness", "Agnes", "Grace", "Salma", "Mwajuma",
                      "Furaha", "Pendo"),
        given_male=("Juma", "Baraka", "Emmanuel", "Hamisi", "Rajabu", "Daudi", "Joseph",
                    "Omari", "Godfrey", "Frank", "Ibrahimu", "Saidi", "Elia", "Hassani",
                    "Athumani", "Amani"),
        family=("Massawe", "Mushi", "Kimaro", "Lyimo", "Mrema", "Shirima", "Mollel",
                "Mwakalinga", "Mbwambo", "Swai", "Mwakyusa", "Salum", "Mohamedi", "Mwita",
                "Chacha", "Magesa", "Ngowi", "Temba"),
    ),
    "MY": NameSet(  # Malay names; family = father's name without "bin" / "binti"
        given_female=("Nur Aisyah", "Siti Aminah", "Farah", "Nabila", "Aina", "Syafiqah",
                      "Amirah", "Nadia", "Puteri", "Izzati", "Hidayah", "Atiqah", "Najwa",
                      "Zulaikha", "Aqilah", "Hanis"),
        given_male=("Muhammad Hafiz", "Ahmad Faiz", "Amirul", "Hakim", "Azlan", "Syafiq",
                    "Firdaus", "Izzat", "Zulkifli", "Aiman", "Haziq", "Danial", "Irfan",
                    "Faris", "Khairul", "Nazmi"),
        family=("Abdullah", "Ismail", "Hassan", "Rahman", "Ibrahim", "Yusof", "Osman",
                "Ahmad", "Razak", "Hamid", "Salleh", "Mohamad", "Aziz", "Othman", "Jaafar",
                "Kamarudin"),
    ),
    "RW": NameSet(  # a Christian name beside a Kinyarwanda personal name
        given_female=("Diane", "Claudine", "Alice", "Josiane", "Chantal", "Jeanne", "Aline",
                      "Clarisse", "Solange", "Vestine", "Sandrine", "Divine", "Grace", "Olive",
                      "Esperance", "Immaculée"),
        given_male=("Jean Claude", "Eric", "Emmanuel", "Patrick", "Olivier", "Jean Paul",
                    "Innocent", "Fabrice", "Thierry", "Didier", "Pacifique", "Janvier", "Yves",
                    "Aimable", "Gilbert", "Alexis"),
        family=("Habimana", "Niyonzima", "Nsengiyumva", "Mugisha", "Hakizimana", "Ndayisaba",
                "Bizimana", "Nshimiyimana", "Twagirayezu", "Uwimana", "Niyonsenga", "Manzi",
                "Ishimwe", "Iradukunda", "Rukundo", "Mugabo"),
        family_female=("Uwase", "Mukamana", "Uwimana", "Ingabire", "Umutoni", "Uwamahoro",
                       "Mukeshimana", "Nyirahabimana", "Uwera", "Iradukunda", "Ishimwe",
                       "Umuhoza", "Mukandayisenga", "Uwineza", "Keza", "Nishimwe"),
    ),
    "BI": NameSet(  # a Christian name beside a Kirundi personal name
        given_female=("Claudette", "Ange", "Diane", "Nadine", "Jeanine", "Espérance", "Aline",
                      "Sandrine", "Joselyne", "Belyse", "Chantal", "Gloriose", "Francine",
                      "Annick", "Divine", "Alice"),
        given_male=("Jean Bosco", "Dieudonné", "Eric", "Emmanuel", "Gervais", "Pascal",
                    "Thierry", "Fabrice", "Ferdinand", "Egide", "Patrick", "Léonce", "Cédric",
                    "Olivier", "Prosper", "Désiré"),
        family=("Niyonkuru", "Nshimirimana", "Hakizimana", "Irakoze", "Ndikumana",
                "Nduwimana", "Bizimana", "Niyongabo", "Havyarimana", "Ntakirutimana",
                "Manirakiza", "Ndayizeye", "Kwizera", "Nzeyimana", "Iradukunda", "Niyonzima",
                "Ndihokubwayo"),
    ),
    "BR": NameSet(
        given_female=("Ana", "Maria", "Juliana", "Fernanda", "Camila", "Beatriz", "Larissa",
                      "Letícia", "Gabriela", "Amanda", "Bruna", "Aline", "Patrícia", "Mariana",
                      "Jéssica", "Vitória"),
        given_male=("João", "Pedro", "Lucas", "Gabriel", "Mateus", "Rafael", "Thiago",
                    "Felipe", "Gustavo", "Bruno", "Leonardo", "Diego", "Rodrigo", "Vinícius",
                    "André", "Marcelo"),
        family=("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves",
                "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho",
                "Araújo", "Barbosa", "Conceição"),
    ),
    "RU": NameSet(  # the passport's Latin transliteration
        given_female=("Anastasia", "Ekaterina", "Maria", "Olga", "Tatiana", "Yulia", "Natalia",
                      "Irina", "Elena", "Daria", "Polina", "Ksenia", "Alina", "Svetlana",
                      "Viktoria", "Anna"),
        given_male=("Aleksandr", "Dmitrii", "Sergei", "Andrei", "Aleksei", "Maksim", "Ivan",
                    "Nikolai", "Artem", "Mikhail", "Pavel", "Denis", "Roman", "Vladimir",
                    "Kirill", "Evgenii"),
        family=("Ivanov", "Smirnov", "Kuznetsov", "Popov", "Vasilev", "Petrov", "Sokolov",
                "Mikhailov", "Novikov", "Fedorov", "Morozov", "Volkov", "Alekseev", "Lebedev",
                "Semenov", "Egorov", "Pavlov"),
        family_female=("Ivanova", "Smirnova", "Kuznetsova", "Popova", "Vasileva", "Petrova",
                       "Sokolova", "Mikhailova", "Novikova", "Fedorova", "Morozova",
                       "Volkova", "Alekseeva", "Lebedeva", "Semenova", "Egorova", "Pavlova"),
    ),
    "TR": NameSet(
        given_female=("Ayşe", "Fatma", "Elif", "Zeynep", "Merve", "Büşra", "Esra", "Emine",
                      "Hatice", "Özlem", "Gizem", "Selin", "Tuğba", "Derya", "Sevgi",
                      "Yasemin"),
        given_male=("Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim",
                    "Murat", "Emre", "Burak", "Serkan", "Oğuz", "Cem", "Yusuf", "Kemal",
                    "Onur"),
        family=("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk",
                "Aydın", "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara",
                "Koç", "Kurt"),
    ),
    "EG": NameSet(
        given_female=("Fatma", "Mona", "Heba", "Nour", "Yasmin", "Aya", "Mariam", "Sara",
                      "Dina", "Rania", "Amira", "Salma", "Hoda", "Shaimaa", "Esraa", "Nada"),
        given_male=("Mohamed", "Ahmed", "Mahmoud", "Mostafa", "Omar", "Youssef", "Khaled",
                    "Hossam", "Tarek", "Karim", "Amr", "Islam", "Hany", "Sherif", "Walid",
                    "Ibrahim"),
        family=("Hassan", "Ibrahim", "Abdel Rahman", "El Sayed", "Mahmoud", "Mostafa", "Ali",
                "Salem", "Fathy", "Gamal", "Farouk", "Abdallah", "Soliman", "Shawky", "Kamel",
                "Ramadan", "Nasser", "Hegazy"),
    ),
}

# A few names in the script people write them in, so that the demo exercises Thai, Burmese,
# Chinese and Devanagari rendering (pages, exports, PDF letters) and cross-script search.
NATIVE_SCRIPT_NAMES: dict[str, NameSet] = {
    "TH": NameSet(
        given_female=("สมหญิง", "มาลี", "พรทิพย์", "สุดารัตน์", "กัญญา"),
        given_male=("สมชาย", "สมศักดิ์", "ประเสริฐ", "วิชัย", "ธนากร"),
        family=("ใจดี", "สุขสวัสดิ์", "ศรีสุข", "วงศ์ใหญ่", "แก้วมณี", "แซ่ตั้ง"),
    ),
    "MM": NameSet(
        given_female=("ခင်ခင်", "မြင့်မြင့်", "စန်းစန်း", "နှင်းဝေ", "သီတာ"),
        given_male=("အောင်ကျော်", "မင်းထွန်း", "ဇော်ဝင်း", "ကျော်စိုး", "ထက်အောင်"),
        family=("မိုး", "လှိုင်", "ဦး", "နိုင်", "သန့်", "ဖြိုး"),
        family_female=("ဖြူ", "နွယ်", "မိုး", "ဝင်း", "ခိုင်"),
    ),
    "CN": NameSet(
        given_female=("秀英", "丽娟", "婷婷", "静", "敏", "晓红"),
        given_male=("伟", "强", "磊", "军", "志明", "浩然"),
        family=("王", "李", "张", "刘", "陈", "杨", "黄"),
    ),
    "IN": NameSet(
        given_female=("प्रिया", "सुनीता", "अंजलि", "पूजा", "नेहा"),
        given_male=("राहुल", "अमित", "विकास", "सुरेश", "राजेश"),
        family=("शर्मा", "वर्मा", "यादव", "सिंह", "गुप्ता", "कुमार"),
    ),
}
