//! Name lists, kept as whitespace-separated text so they stay compact.
//! Names mix languages on purpose (UTF-8, accents, an apostrophe); there are
//! enough combinations that same-name strangers are common but not rampant.

pub(super) const MALE_FIRST: &str = "
James John Michael David Daniel José Luis Carlos Thomas Jürgen Björn Søren François Łukasz
Ahmed Mohammed Wei Hiroshi Liam Noah Oliver Lucas Mateo Pierre Antoine Hans Piotr Marco
Giovanni Raj Kenji Ethan Benjamin Samuel Henry Jack William Robert Andrés Iñigo Matthias
Stefan Lars Erik Nils Javier Diego Pablo Álvaro Sergio Luca Matteo Alessandro Tomasz
Krzysztof Jakub Omar Yusuf Hassan Arjun Vikram Hyun Minh Takeshi Dmitri Ivan Oscar Felix
Leon Julien Rémi Gaël Mark Paul George Edward Richard Kevin Brian Sean Connor";

pub(super) const FEMALE_FIRST: &str = "
Mary Jennifer Emma Olivia Sophia Zoë Chloé Renée Noémie María Lucía Ana Anna Sofia Léa
Camille Hannah Lena Agnieszka Zofia Yuki Mei Priya Fatima Aisha Isabella Mia Charlotte
Amelia Ella Grace Ingrid Åsa Sarah Laura Julia Claire Małgorzata Elena Carmen Inés Pilar
Marta Giulia Chiara Francesca Katarzyna Ewa Astrid Sigrid Freya Elin Mériem Leïla Amira
Ananya Sakura Hana Linh Emily Jessica Ashley Megan Rachel Rebecca Nora Ida Margaux Héloïse
Manon Paula Natalia Olga";

pub(super) const LAST: &str = "
Smith Johnson Williams Brown Jones Miller Davis García Rodríguez Martínez Hernández López
González Pérez Sánchez Núñez Müller Schmidt Schneider Fischer Weber Schröder Köhler Dubois
Lefèvre Moreau Laurent Rossi Russo Bianchi Kowalski Nowak Wiśniewski Nguyen Tran Kim Lee
Patel Singh Khan Ali O'Brien Murphy Kelly Andersen Johansson Åberg Nilsson Taylor Wilson
Anderson Thomas Moore Martin Jackson White Clark Lewis Walker Hall Young King Wright Scott
Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Torres
Parker Collins Edwards Stewart Morris Ramírez Flores Díaz Romero Álvarez Jiménez Ruiz Moreno
Muñoz Becker Hoffmann Schäfer Koch Richter Wolf Neumann Schwarz Zimmermann Bernard Petit
Durand Leroy Girard Bonnet Ferrari Esposito Romano Colombo Ricci Marino Wójcik Kamiński
Lewandowski Zieliński Szymański Yamamoto Tanaka Suzuki Watanabe Chen Wang Zhang Liu Park
Choi Jensen Larsen Hansen Berg Lindqvist Eriksson Dahl Sørensen Gallagher Byrne Doyle Walsh";
